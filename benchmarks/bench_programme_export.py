"""Time the Excel export of the bundled programme (target: well under 3 s).

``samples/company-programme.tco`` (four workloads, one pool, five years), and
the same stretched to a longer horizon, exported as ``tcoapp-cli export -o``
does: the engine run for the Check sheet, :func:`build_programme_workbook` and
the atomic save; nothing is recalculated.

    python benchmarks/bench_programme_export.py [--years 5 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tcoapp.paths import samples_dir
from tcoapp.reports.export import write_atomically
from tcoapp.reports.programme_workbook import build_programme_workbook
from tcoapp.scenario.programme import evaluate_programme, load_programme, programme_with_values

TARGET_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[5, 20])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    base = load_programme(samples_dir() / "company-programme.tco")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        for years in args.years:
            programme = base if years == base.horizon_years else programme_with_values(base, {"horizon_years": years})
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                workbook = build_programme_workbook(programme, evaluate_programme(programme))
                write_atomically(out, workbook.save)
                times.append(time.perf_counter() - t0)
            best = min(times)
            verdict = "OK" if best < TARGET_SECONDS else "TOO SLOW"
            print(f"programme workbook, {len(programme.workloads)} workloads, {years} years ({12 * years} months): "
                  f"{best:.2f} s (best of {args.repeat}; target < {TARGET_SECONDS:.0f} s: {verdict}), "
                  f"{len(workbook.sheetnames)} sheets, {out.stat().st_size / 1024:,.0f} kB")


if __name__ == "__main__":
    main()
