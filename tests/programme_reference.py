"""A deliberately simple, scalar reference of MODEL.md section 6 (programmes).

Written from /work/shared/MODEL.md section 6 alone, in plain Python (``math``,
loops over months, no numpy), as an independent check of
``tcoapp.engine.programme``. Each workload's own scenario is computed by
``tests/reference_model.py``; this module adds only what section 6 adds: the
pools, one section 4.5 fleet per pool, the allocation by required chips, the
unallocated (idle) costs, the programme sums and the programme summary.

``reference_programme(programme, chips) -> dict`` takes a programme as a nested
dict (the ``.tco`` document) and returns
``{"series": {...}, "summary": {...}, "workloads": {name: {"series", "summary"}}}``.

Readings:
- required(m) of a workload (4.3) is its ``chips`` series when it is computed as a
  cloud deployment (4.4: ``chips(m) = required(m)``); the cloud rate is set to 1 for
  that run when it has none, as it does not change required(m).
- "The same purchase price K(0)": equal to 12 significant digits (a typed 23,100 is the catalog's
  USD 21,000 * 1.1, which a double holds as 23,100.000000000004).
- The programme's cash series add the unallocated capex, energy and facility to
  the workloads' cash series, as ``inference`` adds them (idle capacity is paid in cash).
"""

import copy
import math

from reference_model import DAYS, HOURS, SERIES, reference_run  # noqa: F401

SHARED = ("currency", "start_month", "horizon_years", "finance", "facility", "chips")
FACILITY_DEFAULTS = {
    "electricity_price": 0.08, "electricity_price_change": 0.02, "pue": 1.3, "power_load_factor": 0.7,
    "server_power_overhead": 0.8, "colocation_per_kw_month": 0.0, "server_overhead": 0.4, "life_years": 5,
    "maintenance_rate": 0.05, "hardware_price_change": -0.1, "chips_per_server": 8,
}
ALLOCATED = ("inference_compute", "inference_energy", "inference_facility", "chips", "capex", "depreciation")


def trend(rate, m):
    return (1.0 + rate) ** (m / 12.0)


def workload_scenario(programme, workload):
    """The scenario a workload is evaluated as: the shared sections plus its own."""
    scenario = {key: copy.deepcopy(programme[key]) for key in SHARED if key in programme}
    scenario["name"] = workload["name"]
    for key in ("model", "training", "inference", "business"):
        if key in workload:
            scenario[key] = copy.deepcopy(workload[key])
    return scenario


def required_chips(scenario, chips):
    """required(m) of 4.3: the chips of the same scenario deployed on the cloud."""
    as_cloud = copy.deepcopy(scenario)
    inference = as_cloud.setdefault("inference", {})
    if inference.get("deployment", "cloud") == "api":
        return [0.0] * (12 * int(scenario.get("horizon_years", 5)))
    inference["deployment"] = "cloud"
    if inference.get("cloud_rate") is None:
        inference["cloud_rate"] = 1.0
    return reference_run(as_cloud, chips)["series"]["chips"]


def fleet(required, price, tdp_w, facility, basis, M):
    """Section 4.5, once, on the given required chips."""
    fac = dict(FACILITY_DEFAULTS)
    fac.update(facility or {})
    life = round(12 * fac["life_years"])
    per_server = fac["chips_per_server"]
    server_kw = tdp_w / 1000.0 * (1.0 + fac["server_power_overhead"])
    buy = [0.0] * M
    capex = [0.0] * M
    out = {k: [0.0] * M for k in ("alive", "capex", "depreciation", "energy", "facility", "compute", "mwh")}
    for m in range(M):
        alive_before = sum(buy[p] for p in range(max(0, m - life + 1), m))
        buy[m] = per_server * math.ceil(max(0.0, required[m] - alive_before) / per_server - 1e-9)
        alive = alive_before + buy[m]
        K = price * trend(fac["hardware_price_change"], m) * (1.0 + fac["server_overhead"])
        capex[m] = buy[m] * K
        installed = sum(capex[p] for p in range(max(0, m - life + 1), m + 1))
        electricity = fac["electricity_price"] * trend(fac["electricity_price_change"], m)
        out["alive"][m] = alive
        out["capex"][m] = capex[m]
        out["depreciation"][m] = installed / life
        out["energy"][m] = alive * server_kw * fac["power_load_factor"] * fac["pue"] * HOURS * electricity
        out["facility"][m] = alive * server_kw * fac["colocation_per_kw_month"] + fac["maintenance_rate"] / 12 * installed
        out["mwh"][m] = alive * server_kw * fac["power_load_factor"] * fac["pue"] * HOURS / 1000.0
    out["compute"] = out["depreciation"] if basis == "accrual" else out["capex"]
    return out


def _first(condition):
    for m, flag in enumerate(condition):
        if flag:
            return m
    return None


def _cumulative(xs):
    out, running = [], 0.0
    for x in xs:
        running += x
        out.append(running)
    return out


def summary_of(series, discount_rate, energy_mwh):
    """Section 5's keys (those the programme has) on monthly series."""
    from reference_model import irr

    total = lambda k: math.fsum(series[k])  # noqa: E731
    npv = lambda xs: math.fsum(x * (1.0 + discount_rate) ** (-m / 12.0) for m, x in enumerate(xs))  # noqa: E731
    tc, ic, all_cost = total("training"), total("inference"), total("total")
    tokens, requests, revenue = total("tokens"), total("requests"), total("revenue")
    cum_i, cum_t = _cumulative(series["inference"]), _cumulative(series["training"])
    cum_r, cum_c = _cumulative(series["revenue"]), _cumulative(series["cash_total"])
    net = [r - c for r, c in zip(series["revenue"], series["cash_total"])]
    return {
        "training_cost": tc, "inference_cost": ic, "total_cost": all_cost,
        "inference_share": ic / all_cost if all_cost != 0 else None,
        "crossover_month": _first([i >= t and i > 0 for i, t in zip(cum_i, cum_t)]),
        "npv_total": npv(series["cash_total"]), "npv_training": npv(series["cash_training"]),
        "npv_inference": npv(series["cash_inference"]),
        "cost_per_million_tokens": ic / (tokens / 1e6) if tokens > 0 else None,
        "cost_per_request": ic / requests if requests > 0 else None,
        "peak_chips": max(series["chips"]),
        "energy_mwh": energy_mwh,
        "residual_book_value": total("capex") - total("depreciation"),
        "revenue_total": revenue, "profit": revenue - all_cost, "npv_profit": npv(net),
        "payback_month": _first([r >= c and r > 0 for r, c in zip(cum_r, cum_c)]),
        "irr": irr(net) if revenue != 0 else None,
    }


def _catalog_value(chips, scenario, chip_id, key):
    merged = dict(chips)
    for chip in scenario.get("chips") or []:
        merged[chip["id"]] = chip
    return merged[chip_id].get(key)


def reference_programme(programme, chips):
    M = 12 * int(programme.get("horizon_years", 5))
    finance = programme.get("finance") or {}
    rate = finance.get("discount_rate", 0.08)
    usd = finance.get("usd_to_currency", 1.0)
    basis = finance.get("basis", "cash")
    fac = dict(FACILITY_DEFAULTS)
    fac.update(programme.get("facility") or {})
    shared = programme.get("shared_fleets", True)

    results, owned = {}, {}
    for workload in programme["workloads"]:
        scenario = workload_scenario(programme, workload)
        name = workload["name"]
        results[name] = reference_run(scenario, chips)
        inference = workload["inference"]
        if inference.get("deployment", "cloud") == "owned":
            chip_id = inference.get("chip", "h100-sxm")
            price = inference.get("chip_price")
            if price is None:
                price = _catalog_value(chips, scenario, chip_id, "price_usd") * usd
            owned[name] = {"chip": chip_id, "K0": price * (1.0 + fac["server_overhead"]), "price": price,
                           "tdp": _catalog_value(chips, scenario, chip_id, "tdp_w"),
                           "required": required_chips(scenario, chips)}

    # pools: same chip and same K(0) (a lone workload is a pool of one); without sharing, no pools:
    # each owned workload keeps its own fleet, as in its scenario
    pools = []
    for name, info in (owned.items() if shared else ()):
        home = next((p for p in pools if p["chip"] == info["chip"]
                     and abs(p["K0"] - info["K0"]) <= 1e-12 * max(abs(p["K0"]), abs(info["K0"]))), None)
        if home is None:
            home = {"chip": info["chip"], "K0": info["K0"], "price": info["price"], "tdp": info["tdp"],
                    "members": []}
            pools.append(home)
        home["members"].append(name)

    workloads = {}
    for name, result in results.items():
        workloads[name] = {"series": {k: list(v) for k, v in result["series"].items()},
                           "summary": dict(result["summary"])}
    unallocated = {k: [0.0] * M for k in ALLOCATED + ("mwh",)}
    for pool in pools:
        need = [math.fsum(owned[n]["required"][m] for n in pool["members"]) for m in range(M)]
        f = fleet(need, pool["price"], pool["tdp"], programme.get("facility"), basis, M)
        pooled = {"inference_compute": f["compute"], "inference_energy": f["energy"],
                  "inference_facility": f["facility"], "chips": f["alive"], "capex": f["capex"],
                  "depreciation": f["depreciation"], "mwh": f["mwh"]}
        for name in pool["members"]:
            s = workloads[name]["series"]
            req = owned[name]["required"]
            mwh = 0.0
            for m in range(M):
                share = req[m] / need[m] if need[m] > 0 else 0.0
                for key in ALLOCATED:
                    s[key][m] = pooled[key][m] * share
                mwh += pooled["mwh"][m] * share
            for m in range(M):
                s["inference"][m] = (s["inference_compute"][m] + s["inference_energy"][m]
                                     + s["inference_facility"][m] + s["inference_ops"][m])
                s["total"][m] = s["training"][m] + s["inference"][m]
                s["cash_inference"][m] = s["inference"][m] - s["inference_compute"][m] + s["capex"][m]
                s["cash_total"][m] = s["cash_training"][m] + s["cash_inference"][m]
            summary = workloads[name]["summary"]
            summary.update(summary_of(s, rate, mwh))
        for m in range(M):
            if need[m] == 0:
                for key in ALLOCATED + ("mwh",):
                    unallocated[key][m] += pooled[key][m]

    series = {}
    for key in SERIES:
        series[key] = [math.fsum(workloads[n]["series"][key][m] for n in workloads) for m in range(M)]
    for key in ALLOCATED:
        series[key] = [a + b for a, b in zip(series[key], unallocated[key])]
    series["inference_unallocated"] = [unallocated["inference_compute"][m] + unallocated["inference_energy"][m]
                                       + unallocated["inference_facility"][m] for m in range(M)]
    series["inference"] = [a + b for a, b in zip(series["inference"], series["inference_unallocated"])]
    series["total"] = [a + b for a, b in zip(series["training"], series["inference"])]
    series["cash_inference"] = [series["cash_inference"][m] + unallocated["capex"][m]
                                + unallocated["inference_energy"][m] + unallocated["inference_facility"][m]
                                for m in range(M)]
    series["cash_total"] = [a + b for a, b in zip(series["cash_training"], series["cash_inference"])]
    energy = math.fsum(workloads[n]["summary"]["energy_mwh"] for n in workloads) + math.fsum(unallocated["mwh"])
    return {"series": series, "summary": summary_of(series, rate, energy), "workloads": workloads}
