"""Programmes (MODEL.md section 6): the engine against the scalar reference and hand-worked numbers."""

import copy
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from programme_reference import reference_programme  # noqa: E402

from tcoapp.engine.programme import PROGRAMME_SUMMARY, run_programme  # noqa: E402
from tcoapp.scenario.batch import evaluate  # noqa: E402
from tcoapp.scenario.catalog import load_catalog  # noqa: E402
from tcoapp.scenario.programme import evaluate_programme, programme_from_dict, workload_scenario  # noqa: E402

CHIP = {"id": "t1", "name": "Test chip", "vendor": "Test", "bf16_tflops": 500.0, "fp8_tflops": 1000.0,
        "fp4_tflops": None, "memory_gb": 80.0, "bandwidth_tbs": 2.0, "tdp_w": 700.0, "price_usd": 25000.0,
        "cloud_usd_per_hour": 2.5, "source": "test", "as_of": "2026-01"}
CHIP2 = dict(CHIP, id="t2", price_usd=30000.0)
MEASURED = {"chip": "t1", "chips_per_replica": 2, "prefill_tokens_per_s_per_chip": 8000.0,
            "decode_tokens_per_s_per_chip": 900.0}


def _chips():
    chips = {cid: chip.model_dump() for cid, chip in load_catalog().items()}
    return chips


def _programme(workloads, **top):
    doc = {"format": "tcoapp-programme", "schema_version": 1, "name": "p", "horizon_years": 5,
           "start_month": "2026-01", "finance": {"discount_rate": 0.07},
           "facility": {"life_years": 3, "colocation_per_kw_month": 150.0}, "chips": [CHIP, CHIP2],
           "workloads": workloads}
    doc.update(top)
    return doc


def _owned(name, rpd, **inference):
    inf = dict(MEASURED, deployment="owned", requests_per_day=rpd, annual_growth=0.6, **inference)
    return {"name": name, "model": {"params_billion": 70}, "inference": inf}


def _close(ours, ref, where):
    if ref is None:
        assert np.isnan(ours), where
        return
    assert ours == pytest.approx(ref, rel=1e-9, abs=1e-6), where


def _compare(doc):
    """Engine result of programme ``doc`` against the reference, series and summary, programme and workloads."""
    programme = programme_from_dict(doc)
    ours = evaluate_programme(programme)
    ref = reference_programme(copy.deepcopy(doc), _chips())
    for name, values in ref["series"].items():
        np.testing.assert_allclose(ours.series[name][0], values, rtol=1e-9, atol=1e-6, err_msg=name)
    for key in PROGRAMME_SUMMARY:
        _close(float(ours.summary[key][0]), ref["summary"][key], key)
    for w, name in enumerate(programme.names):
        mine = ours.workload(0, w)
        theirs = ref["workloads"][name]
        for key, values in theirs["series"].items():
            np.testing.assert_allclose(mine.series[key][0], values, rtol=1e-9, atol=1e-6, err_msg=f"{name} {key}")
        for key, value in theirs["summary"].items():
            _close(float(mine.summary[key][0]), value, f"{name} {key}")
    return ours, ref


def test_one_workload_has_the_scenarios_totals():
    doc = _programme([dict(_owned("Chat", 2e6), training={"tokens_trillion": 2.0, "chip": "t1"})])
    ours, ref = _compare(doc)
    scenario = evaluate(workload_scenario(programme_from_dict(doc), 0))
    for key in ("total_cost", "inference_cost", "training_cost", "npv_total", "energy_mwh", "residual_book_value",
                "peak_chips", "crossover_month"):
        assert float(ours.summary[key][0]) == pytest.approx(float(scenario.summary[key][0]), rel=1e-12), key
    np.testing.assert_allclose(ours.series["total"][0], scenario.series["total"][0], rtol=1e-12)


def _roadmap(**v2_inference):
    pilot = _owned("v1", 3e6, end_month=30)
    pilot["training"] = {"tokens_trillion": 1.0, "chip": "t1", "procurement": "owned"}
    v2 = _owned("v2", 5e6, **v2_inference)
    v2["training"] = {"start_month": 24, "duration_months": 6, "tokens_trillion": 3.0, "chip": "t1",
                      "refresh_every_months": 12, "refresh_fixed_cost": 1e5}
    support = {"name": "Support", "model": {"params_billion": 8},
               "inference": {"deployment": "api", "requests_per_day": 4e5, "api_price_input": 0.2,
                             "api_price_output": 0.8, "cached_input_fraction": 0.6, "api_price_cached_input": 0.05},
               "business": {"revenue_per_request": 0.01}}
    coder = _owned("Coder", 1e6, chip="t2")
    coder["inference"]["deployment"] = "cloud"
    return [pilot, v2, support, coder]


def test_pooled_roadmap_v2_reuses_the_retired_pilots_fleet():
    ours, ref = _compare(_programme(_roadmap(launch_month=30)))
    assert ours.pools[0].tolist() == [0, 0, -1, -1]
    # v2 launches the month v1 retires: no idle month, and v2 buys less than its need at launch
    assert float(ours.series["inference_unallocated"][0].sum()) == 0.0


def test_pooled_capacity_that_goes_idle_is_unallocated():
    ours, ref = _compare(_programme(_roadmap(launch_month=40)))
    idle = ours.series["inference_unallocated"][0]
    assert idle[30:40].min() > 0 and idle[:30].max() == 0 and idle[40:].max() == 0
    wl = ours.workloads
    total_of_workloads = wl.series["total"].sum(axis=0)
    np.testing.assert_allclose(ours.series["total"][0], total_of_workloads + idle, rtol=1e-12)


def test_accrual_basis_pooled():
    _compare(_programme(_roadmap(launch_month=40), finance={"basis": "accrual", "discount_rate": 0.1}))


def test_without_pooling_each_workload_is_its_own_scenario():
    doc = _programme(_roadmap(launch_month=40), shared_fleets=False)
    ours, ref = _compare(doc)
    assert float(ours.series["inference_unallocated"][0].sum()) == 0.0
    programme = programme_from_dict(doc)
    for w in range(len(programme.workloads)):
        alone = evaluate(workload_scenario(programme, w))
        np.testing.assert_allclose(ours.workload(0, w).series["total"][0], alone.series["total"][0], rtol=1e-12)


def test_different_price_means_different_pool():
    workloads = _roadmap(launch_month=40)
    workloads[1]["inference"]["chip_price"] = 20000.0
    ours, ref = _compare(_programme(workloads))
    assert ours.pools[0].tolist() == [0, 1, -1, -1]


def _tiny(launch_b=8):
    """Hand-sized pool: chips_per_server 1, life 12 months, K = 1000, 73 of energy per chip-month."""
    chip = dict(CHIP, id="h", price_usd=1000.0, tdp_w=1000.0)
    served = {"chip": "h", "deployment": "owned", "chips_per_replica": 1, "prefill_tokens_per_s_per_chip": 1.0,
              "decode_tokens_per_s_per_chip": 1.0, "input_tokens": 0, "output_tokens": 1,
              "target_utilization": 1.0, "peak_to_average": 1.0}
    return _programme(
        [{"name": "A", "model": {"params_billion": 1},
          "inference": dict(served, requests_per_day=2 * 86400.0, launch_month=0, end_month=6)},
         {"name": "B", "model": {"params_billion": 1},
          "inference": dict(served, requests_per_day=3 * 86400.0, launch_month=launch_b)}],
        horizon_years=1, chips=[chip],
        facility={"chips_per_server": 1, "life_years": 1, "server_overhead": 0.0, "hardware_price_change": 0.0,
                  "electricity_price": 0.1, "electricity_price_change": 0.0, "server_power_overhead": 0.0,
                  "power_load_factor": 1.0, "pue": 1.0, "maintenance_rate": 0.0, "colocation_per_kw_month": 0.0},
        finance={"discount_rate": 0.0})


def test_tiny_pool_by_hand():
    # A needs 2 chips in months 0-5; B needs 3 in months 8-11; months 6-7 need none.
    # The pool buys 2 chips in month 0 (2000) and 1 in month 8 (1000); each chip-month costs 73 of energy.
    ours = evaluate_programme(programme_from_dict(_tiny()))
    a, b = ours.workload(0, 0), ours.workload(0, 1)
    assert a.series["capex"][0].tolist() == [2000.0] + [0.0] * 11
    assert b.series["capex"][0].tolist() == [0.0] * 8 + [1000.0] + [0.0] * 3
    assert a.series["inference_energy"][0] == pytest.approx([146.0] * 6 + [0.0] * 6)
    assert b.series["inference_energy"][0] == pytest.approx([0.0] * 8 + [219.0] * 4)
    assert ours.series["inference_unallocated"][0] == pytest.approx([0.0] * 6 + [146.0] * 2 + [0.0] * 4)
    assert float(ours.summary["inference_cost"][0]) == pytest.approx(2000 + 1000 + 876 + 292 + 876)
    assert float(a.summary["inference_cost"][0]) == pytest.approx(2876.0)
    assert float(b.summary["inference_cost"][0]) == pytest.approx(1876.0)
    # depreciation 2000/12 a month from month 0, plus 1000/12 from month 8: A takes months 0-5 (1000),
    # B months 8-11 (4 x 250), months 6-7 (333.33) are idle
    assert float(a.summary["residual_book_value"][0]) == pytest.approx(1000.0)
    assert float(b.summary["residual_book_value"][0]) == pytest.approx(0.0, abs=1e-9)
    assert float(ours.summary["residual_book_value"][0]) == pytest.approx(3000 - 2000 - 4000 / 12)
    assert float(a.summary["energy_mwh"][0]) == pytest.approx(8.76)
    assert float(b.summary["energy_mwh"][0]) == pytest.approx(8.76)
    assert float(ours.summary["energy_mwh"][0]) == pytest.approx(20.44)
    assert float(ours.summary["peak_chips"][0]) == 3.0
    assert a.series["chips"][0].tolist() == [2.0] * 6 + [0.0] * 6
    assert b.series["chips"][0].tolist() == [0.0] * 8 + [3.0] * 4


def test_tiny_pool_shared_months_split_by_required():
    # B launches in month 3 needing 3 chips: months 3-5 need 5, the pool buys 3 more; A takes 2/5 of month 3-5
    ours = evaluate_programme(programme_from_dict(_tiny(launch_b=3)))
    a, b = ours.workload(0, 0), ours.workload(0, 1)
    assert a.series["capex"][0][3] == pytest.approx(3000.0 * 2 / 5)
    assert b.series["capex"][0][3] == pytest.approx(3000.0 * 3 / 5)
    assert a.series["inference_energy"][0][4] == pytest.approx(5 * 73.0 * 2 / 5)
    # after A retires, B alone keeps the 5 installed chips' energy
    assert b.series["inference_energy"][0][7] == pytest.approx(5 * 73.0)
    assert float(ours.series["inference_unallocated"][0].sum()) == 0.0


def test_variants_in_one_batch_equal_one_at_a_time():
    programme = programme_from_dict(_programme(_roadmap(launch_month=40)))
    from tcoapp.scenario.batch import stack
    from tcoapp.scenario.programme import programme_inputs

    rows = programme_inputs(programme)
    variants = []
    for growth in (0.0, 0.6, 1.2):
        for w, row in enumerate(rows):
            row = dict(row)
            if w == 1:
                row["inference.annual_growth"] = growth
            variants.append(row)
    batch = run_programme(stack(variants), 60, len(rows))
    for k, growth in enumerate((0.0, 0.6, 1.2)):
        single = run_programme(stack(variants[k * 4:(k + 1) * 4]), 60, 4)
        for key in PROGRAMME_SUMMARY:
            a, b = float(batch.summary[key][k]), float(single.summary[key][0])
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12), key


def test_scalar_inputs_are_identical_workloads_sharing_one_pool():
    inputs = {"model.params_billion": 8, "inference.requests_per_day": 1e6, "inference.deployment": "owned",
              "inference.chip.price_usd": 1e4, "inference.chip.tdp_w": 700, "inference.chip.memory_gb": 80,
              "inference.chip.bandwidth_tbs": 3.35, "inference.chip.fp8_tflops": 1979, "inference.chip.id": "x"}
    result = run_programme(inputs, 24, 2)
    a, b = result.workload(0, 0), result.workload(0, 1)
    assert result.pools[0].tolist() == [0, 0]
    np.testing.assert_array_equal(a.series["total"], b.series["total"])
    assert float(result.summary["total_cost"][0]) == pytest.approx(2 * float(a.summary["total_cost"][0]), rel=1e-12)


def _random_programme(rng):
    workloads = []
    for w in range(int(rng.integers(1, 5))):
        launch = int(rng.integers(0, 30))
        inference = dict(MEASURED, deployment=str(rng.choice(["owned", "owned", "cloud", "api"])),
                         chip=str(rng.choice(["t1", "t2"])), requests_per_day=float(rng.uniform(1e5, 5e6)),
                         annual_growth=float(rng.uniform(-0.3, 1.0)), launch_month=launch,
                         api_price_input=0.5, api_price_output=1.5)
        if rng.random() < 0.5:
            inference["end_month"] = int(rng.integers(launch + 1, 61))
        if rng.random() < 0.3:
            inference["chip_price"] = 20000.0
        workload = {"name": f"W{w}", "model": {"params_billion": 70}, "inference": inference,
                    "business": {"revenue_per_request": float(rng.choice([0.0, 0.004]))}}
        if rng.random() < 0.5:
            workload["training"] = {"chip": "t1", "tokens_trillion": float(rng.uniform(0.1, 2)),
                                    "start_month": int(rng.integers(0, 12))}
        workloads.append(workload)
    facility = {"life_years": float(rng.choice([1.5, 3, 5])), "chips_per_server": int(rng.choice([1, 8])),
                "colocation_per_kw_month": 100.0, "maintenance_rate": 0.04}
    return _programme(workloads, facility=facility, shared_fleets=bool(rng.random() < 0.8),
                      finance={"basis": str(rng.choice(["cash", "accrual"])), "discount_rate": 0.09})


@pytest.mark.parametrize("seed", range(12))
def test_random_programmes_match_the_reference(seed):
    _compare(_random_programme(np.random.default_rng(seed)))


def test_a_typed_price_pools_with_the_converted_catalog_price():
    # The catalog price USD 21,000 at 1.1 per USD is 23,100 (a double holds 21000 * 1.1 as 23,100.000000000004);
    # B types 23,100. They are one price, so one pool: A buys 2 chips in month 0 (2 x 23,100 = 46,200, life 12
    # months), B needs 3 in months 8-11 and the pool buys only 1 more (23,100), not 3 (69,300).
    doc = _tiny()
    doc["chips"][0]["price_usd"] = 21000.0
    doc["finance"]["usd_to_currency"] = 1.1
    doc["workloads"][1]["inference"]["chip_price"] = 23100.0
    ours = evaluate_programme(programme_from_dict(doc))
    assert ours.pools[0].tolist() == [0, 0]
    a, b = ours.workload(0, 0), ours.workload(0, 1)
    assert a.series["capex"][0][0] == pytest.approx(46200.0, rel=1e-12)
    assert b.series["capex"][0][8] == pytest.approx(23100.0, rel=1e-12)
    assert float(ours.summary["peak_chips"][0]) == 3.0
    # months 6-7 are idle: the 2 installed chips' energy (2 x 73) goes to inference_unallocated
    assert ours.series["inference_unallocated"][0] == pytest.approx([0.0] * 6 + [146.0] * 2 + [0.0] * 4)


def test_prices_that_differ_in_the_last_cent_are_different_pools():
    doc = _tiny()
    doc["workloads"][1]["inference"]["chip_price"] = 1000.01
    ours = evaluate_programme(programme_from_dict(doc))
    assert ours.pools[0].tolist() == [0, 1]
