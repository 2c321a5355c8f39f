"""Time and size the sensitivity solver (issue 3) on the bundled owned-fleet sample.

    python benchmarks/bench_solver.py [--sample chat-assistant-owned-h100.tco] [--skip-million]

Prints:

* a 100,000-sample Monte Carlo over the sample's uncertainty section (four
  inputs, owned fleet, 5 years): seconds and peak resident memory, each run in
  a fresh subprocess that reads its own ``ru_maxrss`` (after a 1,000-sample
  warm-up, so the figure is the steady cost a GUI or CLI user sees);
* the same for 1,000,000 samples;
* a tornado over every input (best of 5, milliseconds);
* the speed-up of the batch over evaluating the same scenarios one at a time
  with ``with_values`` + ``evaluate`` (tornado: its 2K+1 scenarios; Monte
  Carlo: a few hundred samples, per sample).

Targets on the 2-core reference machine: Monte Carlo (100,000) under 1.5 s,
tornado under 50 ms, 1,000,000 samples under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

MC_TARGET_S = 1.5
TORNADO_TARGET_MS = 50.0
MEMORY_TARGET_MB = 1500.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def child_monte_carlo(sample: str, samples: int, seed: int) -> None:
    """Run in a fresh interpreter: one warm-up, then the timed run; print one JSON line."""
    from tcoapp.paths import samples_dir
    from tcoapp.scenario.files import load_scenario
    from tcoapp.scenario.sensitivity import monte_carlo

    scenario = load_scenario(samples_dir() / sample)
    monte_carlo(scenario, samples=1_000, seed=seed)
    before = _peak_mb()
    t0 = time.perf_counter()
    result = monte_carlo(scenario, samples=samples, seed=seed)
    seconds = time.perf_counter() - t0
    print(json.dumps({"samples": samples, "seconds": seconds, "peak_mb": _peak_mb(), "peak_before_mb": before,
                      "failed": result["failed"], "p50": result["metrics"]["total_cost"]["p50"]}))


def monte_carlo_in_subprocess(sample: str, samples: int, seed: int = 0) -> dict:
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child-mc", str(samples),
                           "--sample", sample, "--seed", str(seed)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def bench_monte_carlo(sample: str, skip_million: bool) -> None:
    from tcoapp.paths import samples_dir
    from tcoapp.scenario.files import load_scenario

    scenario = load_scenario(samples_dir() / sample)
    inputs = ", ".join(f"{path} ({dist.dist})" for path, dist in scenario.uncertainty.items())
    print(f"Monte Carlo on {sample}: {scenario.inference.deployment} fleet, {scenario.horizon_years} years, "
          f"{len(scenario.uncertainty)} uncertain inputs: {inputs}")
    from tcoapp.engine.sensitivity import cores

    print(f"  (each run in a fresh subprocess; {os.cpu_count()} cores, chunks on {cores()} threads; peak = ru_maxrss of that process, "
          f"which includes the interpreter and numpy)")
    runs = [100_000] + ([] if skip_million else [1_000_000])
    for n in runs:
        r = monte_carlo_in_subprocess(sample, n)
        line = (f"  {n:>9,} samples: {r['seconds']:7.2f} s   peak memory {r['peak_mb']:7.0f} MB "
                f"(of which {r['peak_before_mb']:.0f} MB before the run)   P50 lifetime cost {r['p50']:,.0f}")
        if n == 100_000:
            line += f"   [target < {MC_TARGET_S} s: {_verdict(r['seconds'] < MC_TARGET_S)}]"
        if n == 1_000_000:
            line += f"   [target < {MEMORY_TARGET_MB:.0f} MB: {_verdict(r['peak_mb'] < MEMORY_TARGET_MB)}]"
        print(line)
        if r["failed"]:
            print(f"    ({r['failed']:,} samples could not be computed)")


def _best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _every_numeric_input(scenario) -> list[str]:
    """Every numeric field with a value the engine uses (whole-number fields too), horizon aside."""
    from tcoapp.scenario.batch import engine_inputs
    from tcoapp.scenario.schema import numeric_field_paths
    from tcoapp.scenario.sensitivity import resolved_value

    inputs = engine_inputs(scenario)
    return [p for p in numeric_field_paths() if p != "horizon_years"
            and np.isfinite(resolved_value(inputs, p)) and resolved_value(inputs, p) != 0]


def _one_by_one(scenario, metric: str, changes: list[dict]) -> tuple[list[float], int]:
    """Each change as its own scenario through with_values + evaluate.

    A change the schema refuses (a tornado value beyond a cross-field rule)
    is run through the engine alone on that scenario's inputs instead; the
    count of those is returned.
    """
    from tcoapp.engine import run
    from tcoapp.scenario.batch import engine_inputs, evaluate, months
    from tcoapp.scenario.errors import ScenarioError
    from tcoapp.scenario.schema import numeric_field_paths, with_values

    fields = numeric_field_paths()
    out, refused = [], 0
    base, M = engine_inputs(scenario), months(scenario)
    for change in changes:
        as_file = {p: int(v) if fields[p].is_int else v for p, v in change.items()}  # whole numbers as ints
        try:
            out.append(float(evaluate(with_values(scenario, as_file)).summary[metric][0]))
        except ScenarioError:
            refused += 1
            out.append(float(run({**base, **change}, M, on_error="mask").summary[metric][0]))
    return out, refused


def bench_tornado(sample: str) -> None:
    from tcoapp.paths import samples_dir
    from tcoapp.scenario.files import load_scenario
    from tcoapp.scenario.sensitivity import default_tornado_paths, tornado

    scenario = load_scenario(samples_dir() / sample)
    print(f"Tornado on {sample} (total_cost, 20 % swing or the uncertainty range), best of 5")
    for label, paths in (("every continuous input (the default)", default_tornado_paths(scenario)),
                         ("every numeric input, whole-number ones too", _every_numeric_input(scenario))):
        tornado(scenario, "total_cost", paths)  # warm up
        t_batch = _best_of(lambda: tornado(scenario, "total_cost", paths))
        result = tornado(scenario, "total_cost", paths)
        changes = [{}] + [{r["path"]: r[f"{side}_input"]} for r in result["rows"] for side in ("low", "high")]
        t0 = time.perf_counter()
        singles, refused = _one_by_one(scenario, "total_cost", changes)
        t_single = time.perf_counter() - t0
        batch_values = [result["base"]] + [r[f"{side}_metric"] for r in result["rows"] for side in ("low", "high")]
        worst = max(abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in zip(batch_values, singles))
        k = len(paths)
        print(f"  {label}: K = {k} inputs, {2 * k + 1} scenarios")
        print(f"    one batch           : {t_batch * 1e3:8.1f} ms   [target < {TORNADO_TARGET_MS:.0f} ms: "
              f"{_verdict(t_batch * 1e3 < TORNADO_TARGET_MS)}]")
        print(f"    one at a time       : {t_single * 1e3:8.1f} ms   (with_values + evaluate, "
              f"{t_single / (2 * k + 1) * 1e3:.2f} ms each)")
        print(f"    speed-up of batch   : {t_single / t_batch:8.1f}x   (largest relative difference {worst:.1e}"
              + (f"; {refused} value(s) the schema refuses, run on engine inputs" if refused else "") + ")")


def bench_monte_carlo_speedup(sample: str, n_single: int = 300) -> None:
    from tcoapp.engine import sensitivity as core
    from tcoapp.paths import samples_dir
    from tcoapp.scenario.batch import engine_inputs, months
    from tcoapp.scenario.files import load_scenario
    from tcoapp.scenario.sensitivity import clip_to_rule

    scenario = load_scenario(samples_dir() / sample)
    rng = np.random.default_rng(0)
    n = 100_000
    draws = {p: clip_to_rule(p, core.sample_distribution(d.model_dump(), n, rng)) for p, d in scenario.uncertainty.items()}
    base, M = engine_inputs(scenario), months(scenario)
    core.monte_carlo(base, M, {p: x[:1000] for p, x in draws.items()}, ["total_cost"])  # warm up
    t0 = time.perf_counter()
    batch = core.monte_carlo(base, M, draws, ["total_cost"])
    t_batch = time.perf_counter() - t0
    changes = [{p: float(x[i]) for p, x in draws.items()} for i in range(n_single)]
    t0 = time.perf_counter()
    singles, _ = _one_by_one(scenario, "total_cost", changes)
    t_single = time.perf_counter() - t0
    worst = float(np.max(np.abs(batch.values["total_cost"][:n_single] - singles) / np.abs(singles)))
    per_batch, per_single = t_batch / n, t_single / n_single
    print(f"Monte Carlo batch against one at a time ({sample}, engine level, total_cost)")
    print(f"    {f'batch of {n:,}':<20}: {per_batch * 1e6:8.1f} us per sample ({t_batch:.2f} s)")
    print(f"    {f'{n_single} one at a time':<20}: {per_single * 1e6:8.1f} us per sample (with_values + evaluate)")
    print(f"    speed-up of batch   : {per_single / per_batch:8.0f}x   (largest relative difference {worst:.1e})")
    t0 = time.perf_counter()
    one = core.monte_carlo(base, M, draws, ["total_cost"], workers=1)
    t_one = time.perf_counter() - t0
    same = np.array_equal(one.values["total_cost"], batch.values["total_cost"], equal_nan=True) and all(
        np.array_equal(one.band_percentiles[k], batch.band_percentiles[k]) for k in one.band_percentiles)
    print(f"    {f'batch on 1 thread':<20}: {t_one / n * 1e6:8.1f} us per sample ({t_one:.2f} s; "
          f"on {core.cores()} threads {t_batch:.2f} s, {t_one / t_batch:.2f}x; "
          f"{'identical' if same else 'DIFFERENT'} result)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="chat-assistant-owned-h100.tco")
    parser.add_argument("--skip-million", action="store_true", help="leave out the 1,000,000-sample run")
    parser.add_argument("--child-mc", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_mc:
        child_monte_carlo(args.sample, args.child_mc, args.seed)
        return
    bench_monte_carlo(args.sample, args.skip_million)
    print()
    bench_tornado(args.sample)
    print()
    bench_monte_carlo_speedup(args.sample)


if __name__ == "__main__":
    main()
