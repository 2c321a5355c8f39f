"""Time the Excel export of the bundled programme (target: well under 3 s).

``samples/company-programme.tco`` (four workloads, one pool, five years), and
the same stretched to a longer horizon, exported as ``tcoapp-cli export -o``
does (:func:`tcoapp.reports.export.write_programme_excel`): the engine run for the
Check sheet, :func:`build_programme_workbook`, every formula's cached value and the
atomic save; nothing is recalculated by a spreadsheet.

    python benchmarks/bench_programme_export.py [--years 5 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl

from tcoapp.paths import samples_dir
from tcoapp.reports.export import write_programme_excel
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
                write_programme_excel(out, programme, evaluate_programme(programme))
                times.append(time.perf_counter() - t0)
            best = min(times)
            verdict = "OK" if best < TARGET_SECONDS else "TOO SLOW"
            print(f"programme workbook, {len(programme.workloads)} workloads, {years} years ({12 * years} months): "
                  f"{best:.2f} s (best of {args.repeat}; target < {TARGET_SECONDS:.0f} s: {verdict}), "
                  f"{len(openpyxl.load_workbook(out, read_only=True).sheetnames)} sheets, {out.stat().st_size / 1024:,.0f} kB")


if __name__ == "__main__":
    main()
