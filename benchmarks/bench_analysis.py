"""Time the GUI's analysis jobs (issue 15) as they run on the worker, without the window.

    python benchmarks/bench_analysis.py

Prints, on the bundled ``deployment-cloud.tco`` sample (best of 5, milliseconds):

* a one-way sweep of 11 and of 201 values (``tcoapp.gui.views.sensitivity.sweep_job``: one
  engine batch plus the current value);
* the break-even of the cloud rate against the owned deployment
  (``tcoapp.gui.dialogs.solver_dialogs.break_even``: the CLI's goal seek and the check of both
  deployments at the answer), and of the API output price against the API (the goal seek finds
  nothing, the crossing search of both deployments does);
* building and writing the comparison workbook and CSV of four samples.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def best_ms(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return 1000 * min(times)


def main() -> int:
    from tcoapp.gui.dialogs.solver_dialogs import break_even, grid_values
    from tcoapp.gui.views.compare import COMPARE_KEYS, build_comparison
    from tcoapp.gui.views.results import evaluate_scenario
    from tcoapp.gui.views.sensitivity import sweep_job
    from tcoapp.paths import sample_files
    from tcoapp.reports.comparison_workbook import write_comparison_csv, write_comparison_workbook
    from tcoapp.scenario import sensitivity
    from tcoapp.scenario.files import load_scenario

    samples = {p.name: p for p in sample_files()}
    scenario = load_scenario(samples["deployment-cloud.tco"])
    for points in (11, 201):
        values = grid_values(0.0, 1.0, points, False)
        ms = best_ms(lambda: sweep_job(sensitivity, scenario, "inference.annual_growth", values, "total_cost"))
        print(f"sweep, {points:>3} values of inference.annual_growth: {ms:8.1f} ms")
    result = {}
    ms = best_ms(lambda: result.update(break_even(scenario, "inference.cloud_rate", "total_cost", "owned", 0.5, 10)))
    print(f"break-even of inference.cloud_rate against owned:  {ms:8.1f} ms "
          f"({result['status']}, {result['value']:.6g}, by {result['method']})")
    ms = best_ms(lambda: result.update(break_even(scenario, "inference.api_price_output", "total_cost", "api", 0, 100)))
    print(f"break-even of inference.api_price_output vs API:  {ms:8.1f} ms "
          f"({result['status']}, {result['value']:.6g}, by {result['method']})")
    names = ("deployment-api.tco", "deployment-cloud.tco", "deployment-owned.tco", "chat-assistant-owned-h100.tco")
    evaluations = [evaluate_scenario(load_scenario(samples[n])) for n in names]
    comparison = build_comparison(list(names), evaluations, 1)
    with tempfile.TemporaryDirectory() as tmp:
        ms = best_ms(lambda: write_comparison_workbook(Path(tmp) / "c.xlsx", comparison, COMPARE_KEYS))
        print(f"comparison workbook, 4 scenarios:                  {ms:8.1f} ms")
        ms = best_ms(lambda: write_comparison_csv(Path(tmp) / "c.csv", comparison, COMPARE_KEYS))
        print(f"comparison CSV, 4 scenarios:                       {ms:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
