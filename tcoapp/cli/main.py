"""``tcoapp-cli``: the headless, scriptable face of tcoapp.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the file,
the field and the rule), 1 on an internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .. import __version__

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Bad command-line input that is not a scenario error (a bad option value, an unwritable path)."""


def _load(path: str):
    from ..scenario.files import load_scenario

    return load_scenario(Path(path))


def _evaluate(path: str):
    from ..scenario.batch import evaluate

    scenario = _load(path)
    return scenario, evaluate(scenario, source=path)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def cmd_report(args) -> int:
    from ..reports.report import build_report, format_summary

    scenario, result = _evaluate(args.file)
    report = build_report(scenario, result)
    if args.json:
        _print_json(report)
    else:
        print(format_summary(report, scenario.start_month))
    return EXIT_OK


def cmd_validate(args) -> int:
    _evaluate(args.file)
    print(f"{args.file}: valid")
    return EXIT_OK


CHIP_COLUMNS = (
    ("id", "id", "{}"), ("name", "name", "{}"), ("bf16", "bf16_tflops", "{:,.0f}"),
    ("fp8", "fp8_tflops", "{:,.0f}"), ("fp4", "fp4_tflops", "{:,.0f}"), ("GB", "memory_gb", "{:,.0f}"),
    ("TB/s", "bandwidth_tbs", "{:.2f}"), ("W", "tdp_w", "{:,.0f}"), ("USD", "price_usd", "{:,.0f}"),
    ("USD/h", "cloud_usd_per_hour", "{:.2f}"), ("as of", "as_of", "{}"),
)


def cmd_chips(args) -> int:
    if args.file:
        from ..scenario.catalog import chips_for

        chips = chips_for(_load(args.file))
    else:
        from ..scenario.catalog import load_catalog

        chips = load_catalog()
    rows = [chip.model_dump() for chip in chips.values()]
    if args.json:
        _print_json({"format": "tcoapp-chips", "version": 1, "chips": rows})
        return EXIT_OK
    print("Dense peak TFLOP/s per precision; memory GB; bandwidth TB/s; power W; price and cloud rate in USD "
          "('-' = not known)")
    table = [[head for head, _, _ in CHIP_COLUMNS]]
    for row in rows:
        table.append(["-" if row[key] is None else fmt.format(row[key]) for _, key, fmt in CHIP_COLUMNS])
    widths = [max(len(r[i]) for r in table) for i in range(len(CHIP_COLUMNS))]
    for r in table:
        print("  ".join(cell.ljust(w) if i < 2 or i == len(r) - 1 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(r, widths))))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcoapp-cli",
        description="Lifetime cost of an AI programme: training against years of inference traffic.",
    )
    parser.add_argument("--version", action="version", version=f"tcoapp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("report", help="compute a scenario and print its summary (or the full report as JSON)")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--json", action="store_true", help="print the tcoapp-report JSON document")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("validate", help="check a scenario file and that it computes")
    p.add_argument("file", metavar="FILE.tco")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("chips", help="list the chip catalog (with a scenario's own chips when given)")
    p.add_argument("file", metavar="FILE.tco", nargs="?")
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    p.set_defaults(func=cmd_chips)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..scenario.errors import ScenarioError

    try:
        return args.func(args)
    except (ScenarioError, BadInput) as err:
        print(f"tcoapp-cli: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # an internal error: say so, with a traceback only on request
        if os.environ.get("TCOAPP_DEBUG"):
            raise
        print(f"tcoapp-cli: internal error: {type(err).__name__}: {err} "
              "(set TCOAPP_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
