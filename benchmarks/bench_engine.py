"""Time one engine call on a batch of 10,000 scenarios against 10,000 single calls.

Owned deployment, 5-year horizon: the bundled sample ``chat-assistant-owned-h100.tco``
with requests per day and annual growth varied across the batch.

    python benchmarks/bench_engine.py [--scenarios 10000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tcoapp.engine import run
from tcoapp.paths import samples_dir
from tcoapp.scenario.batch import engine_inputs, months, stack
from tcoapp.scenario.files import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--sample", default="chat-assistant-owned-h100.tco")
    args = parser.parse_args()
    scenario = load_scenario(samples_dir() / args.sample)
    assert scenario.inference.deployment == "owned" and scenario.horizon_years == 5
    base = engine_inputs(scenario)
    rng = np.random.default_rng(1)
    n = args.scenarios
    per_scenario = []
    for rpd, growth in zip(base["inference.requests_per_day"] * rng.uniform(0.5, 2.0, n), rng.uniform(0.0, 1.0, n)):
        item = dict(base)
        item["inference.requests_per_day"] = float(rpd)
        item["inference.annual_growth"] = float(growth)
        per_scenario.append(item)
    batch = stack(per_scenario)
    M = months(scenario)

    run(batch, M)  # warm up
    t0 = time.perf_counter()
    batched = run(batch, M)
    t_batch = time.perf_counter() - t0

    t0 = time.perf_counter()
    singles = [run(item, M).summary["total_cost"][0] for item in per_scenario]
    t_single = time.perf_counter() - t0

    assert np.allclose(batched.summary["total_cost"], singles, rtol=1e-12)
    print(f"engine, owned deployment, {M} months, {n:,} scenarios")
    print(f"  one batched call : {t_batch * 1e3:10.1f} ms  ({t_batch / n * 1e6:.1f} us per scenario)")
    print(f"  {n:,} single calls: {t_single * 1e3:10.1f} ms  ({t_single / n * 1e6:.1f} us per scenario)")
    print(f"  speed-up of the batch: {t_single / t_batch:.0f}x")


if __name__ == "__main__":
    main()
