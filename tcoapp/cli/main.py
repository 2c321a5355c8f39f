"""``tcoapp-cli``: the headless, scriptable face of tcoapp.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the file,
the field and the rule), 1 on an internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import __version__

from .chips_command import cmd_chips
from .common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, NOTES, BadInput, evaluate_file, load_file, print_json


def cmd_report(args) -> int:
    from ..reports.report import build_report, format_summary

    scenario, result = evaluate_file(args.file)
    report = build_report(scenario, result)
    if args.json:
        print_json(report)
    else:
        print(format_summary(report, scenario.start_month))
    return EXIT_OK


def cmd_validate(args) -> int:
    evaluate_file(args.file)
    print(f"{args.file}: valid")
    return EXIT_OK


def cmd_plan(args) -> int:
    from ..scenario.errors import ScenarioError
    from ..scenario.planning import OPTION_PATHS, format_plan, plan_document, plan_scenario

    scenario = load_file(args.file)
    try:
        result = plan_scenario(
            scenario, quality_params_billion=args.quality_params_billion, quality_loss=args.quality_loss,
            inference_tokens=args.inference_tokens, objective=args.objective, source=args.file,
        )
    except ScenarioError as err:
        if err.path in OPTION_PATHS:  # a bad option value: name the option as it was typed
            raise BadInput(f"--{err.path.replace('_', '-')} {err.value!r}: {err.rule}") from None
        raise
    if args.json:
        print_json(plan_document(result))
    else:
        print(format_plan(result))
    return EXIT_OK


def cmd_export(args) -> int:
    targets = [args.output, args.csv, args.png, args.svg]
    if not any(targets):
        raise BadInput("export: give at least one of -o OUT.xlsx, --csv DIR, --png DIR, --svg DIR")
    from ..reports.export import (
        ExportError, check_file_target, check_folder_target, write_csv, write_excel, write_figures,
    )
    from ..reports.report import build_report

    scenario, result = evaluate_file(args.file)
    stem = Path(args.file).stem
    written = []
    try:
        if args.output:  # check every target before writing anything
            check_file_target(args.output)
            if Path(args.output).suffix.lower() != ".xlsx":
                raise BadInput(f"-o {args.output}: must name an .xlsx file")
        for folder in targets[1:]:
            if folder:
                check_folder_target(folder, create=False)
        if args.output:
            tornado = monte_carlo = None
            if args.sensitivity:
                from ..scenario.sensitivity import monte_carlo as run_monte_carlo, tornado as run_tornado

                tornado = run_tornado(scenario)
                if scenario.uncertainty:
                    monte_carlo = run_monte_carlo(scenario, samples=args.samples, seed=args.seed)
            written.append(write_excel(args.output, scenario, result, tornado=tornado, monte_carlo=monte_carlo))
        report = build_report(scenario, result) if any(targets[1:]) else None
        if args.csv:
            written += write_csv(args.csv, report, stem)
        if args.png:
            written += write_figures(args.png, report, stem, ("png",))
        if args.svg:
            written += write_figures(args.svg, report, stem, ("svg",))
    except ExportError as err:
        raise BadInput(str(err)) from None
    for path in written:
        print(f"wrote {path}")
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

    p = sub.add_parser("plan", help="right-size the model: the parameters and training tokens that reach a quality "
                                    "with the fewest lifetime FLOPs or the lowest lifetime cost")
    p.add_argument("file", metavar="FILE.tco")
    quality = p.add_mutually_exclusive_group(required=True)
    quality.add_argument("--quality-params-billion", type=float, metavar="X",
                         help="quality of the Chinchilla-optimal model of X billion parameters")
    quality.add_argument("--quality-loss", type=float, metavar="L", help="quality as a loss of the Chinchilla fit")
    p.add_argument("--inference-tokens", type=float, metavar="T",
                   help="lifetime inference tokens (default: the scenario's own traffic; when given, the traffic "
                        "is scaled to serve T tokens)")
    p.add_argument("--objective", choices=("flops", "cost"), default="flops",
                   help="minimise total FLOPs (default) or the scenario's lifetime cost")
    p.add_argument("--json", action="store_true", help="print the tcoapp-plan JSON document")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("export", help="write the workbook with live formulas (.xlsx), CSV tables and chart images")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("-o", "--output", metavar="OUT.xlsx", help="Excel workbook: every figure a formula over the inputs")
    p.add_argument("--csv", metavar="DIR", help="write FILE-monthly.csv and FILE-yearly.csv into DIR")
    p.add_argument("--png", metavar="DIR", help="write the charts as PNG (800 x 500) into DIR")
    p.add_argument("--svg", metavar="DIR", help="write the charts as SVG into DIR")
    p.add_argument("--sensitivity", action="store_true",
                   help="add a Sensitivity sheet (tornado of lifetime cost) and, when the scenario has an "
                        "uncertainty section, a Monte Carlo sheet")
    p.add_argument("--samples", type=int, default=10_000, help="Monte Carlo samples with --sensitivity; default 10,000")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed with --sensitivity; default 0")
    p.set_defaults(func=cmd_export)
    from .solver_commands import add_solver_commands

    add_solver_commands(sub)
    from .serving_commands import add_serving_commands

    add_serving_commands(sub)
    from .programme_commands import add_programme_options

    add_programme_options(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):  # a non-UTF-8 console must not turn "—" into an internal error
        sys.stdout.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..scenario.errors import ScenarioError

    NOTES.clear()
    try:
        from .programme_commands import programme_handler

        status = (programme_handler(args) or args.func)(args)
        for note in NOTES:
            print(f"tcoapp-cli: {note}", file=sys.stderr)
        return status
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
