"""Time the Excel export of a 20-year owned scenario (target: under 3 s).

The bundled sample ``chat-assistant-owned-h100.tco`` stretched to a 20-year
horizon (240 months of owned-fleet cohorts), exported with live formulas by
``tcoapp.reports.export.write_excel``: the workbook is built and saved with
openpyxl; nothing is recalculated. The CSV and PNG exports are timed too.

    python benchmarks/bench_export.py [--years 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tcoapp.paths import samples_dir
from tcoapp.reports.export import write_csv, write_excel, write_figures
from tcoapp.reports.report import build_report
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

TARGET_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--sample", default="chat-assistant-owned-h100.tco")
    args = parser.parse_args()
    scenario = with_values(load_scenario(samples_dir() / args.sample), {"horizon_years": args.years})
    assert scenario.inference.deployment == "owned"

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            write_excel(out, scenario)  # includes the engine run for the Check sheet
            times.append(time.perf_counter() - t0)
        size_kb = out.stat().st_size / 1024

        report = build_report(scenario, evaluate(scenario))
        t0 = time.perf_counter()
        write_csv(Path(tmp) / "csv", report, "bench")
        t_csv = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_figures(Path(tmp) / "png", report, "bench", ("png",))
        t_png = time.perf_counter() - t0

    best = min(times)
    verdict = "OK" if best < TARGET_SECONDS else "TOO SLOW"
    print(f"excel export, {args.years}-year owned scenario ({12 * args.years} months): {best:.2f} s "
          f"(best of {args.repeat}; target < {TARGET_SECONDS:.0f} s: {verdict}), {size_kb:,.0f} kB")
    print(f"csv export: {t_csv:.2f} s; png export (4 charts): {t_png:.2f} s")


if __name__ == "__main__":
    main()
