"""``tcoapp-cli``: the headless, scriptable face of tcoapp.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the file,
the field and the rule; a bad option, a file that cannot be read or written, a
full disk), 3 when ``solve`` finds no solution, 1 on an internal error.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from pathlib import Path

from .. import __version__
from .chips_command import cmd_chips
from .common import (
    EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_STATUS_HELP, NOTES, BadInput, check_not_the_input, evaluate_file,
    load_file, non_negative_int, positive_int, print_json,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (and exit 2), not the usage block first."""

    def error(self, message: str):  # noqa: D102 - argparse's name
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


#: An option value that is a negative number, or a comma-separated list starting with one (``-1e9``, ``-5,10``).
_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|inf|nan)", re.IGNORECASE)


def join_negative_values(argv: list[str]) -> list[str]:
    """Spell ``--low -1e9`` as ``--low=-1e9``, so argparse does not take the value for an option.

    (argparse reads ``-5`` as a value but not ``-1e9`` or ``-5,10``.) Only a
    ``--long`` option followed by a token that starts like a negative number is
    joined; no option of this CLI starts with a digit, so nothing else changes.
    """
    out: list[str] = []
    tokens = iter(range(len(argv)))
    for i in tokens:
        token = argv[i]
        if token == "--":
            out.extend(argv[i:])
            break
        following = argv[i + 1] if i + 1 < len(argv) else None
        if (token.startswith("--") and "=" not in token and following is not None
                and _NEGATIVE_VALUE.match(following)):
            out.append(f"{token}={following}")
            next(tokens)
        else:
            out.append(token)
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters (an escape sequence in a scenario name) shown as ``\\x1b``,
    so nothing read from a file can drive the terminal. Newlines and tabs stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _PrintableStream:
    """A text stream that writes :func:`printable` text to the one it wraps."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)



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
    except ValueError as err:  # the planner's own rule on the quality asked for
        option = "--quality-params-billion" if args.quality_params_billion is not None else "--quality-loss"
        value = args.quality_params_billion if args.quality_params_billion is not None else args.quality_loss
        raise BadInput(f"{option} {value:g}: {err}") from None
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
            from ..scenario.files import check_output_target

            check_output_target(os.path.realpath(args.output))  # never rename over a FIFO or /dev/null
            if Path(args.output).suffix.lower() != ".xlsx":
                raise BadInput(f"-o {args.output}: must name an .xlsx file")
            check_not_the_input(args.output, args.file)
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
    parser = OneLineParser(
        prog="tcoapp-cli",
        description="Lifetime cost of an AI programme: training against years of inference traffic.",
        epilog=EXIT_STATUS_HELP,
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
    p.add_argument("--samples", type=positive_int, default=10_000,
                   help="Monte Carlo samples with --sensitivity; default 10,000")
    p.add_argument("--seed", type=non_negative_int, default=0, help="Monte Carlo seed with --sensitivity; default 0")
    p.set_defaults(func=cmd_export)
    from .solver_commands import add_solver_commands

    add_solver_commands(sub)
    from .serving_commands import add_serving_commands

    add_serving_commands(sub)
    from .prices_command import add_prices_command

    add_prices_command(sub)
    from .programme_commands import add_programme_options

    add_programme_options(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):  # a non-UTF-8 console must not turn "—" into an internal error
        sys.stdout.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(join_negative_values(list(sys.argv[1:] if argv is None else argv)))
    from ..scenario.errors import ScenarioError

    NOTES.clear()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PrintableStream(stdout), _PrintableStream(stderr)
    try:
        from .programme_commands import programme_handler

        status = (programme_handler(args) or args.func)(args)
        sys.stdout.flush()  # a full disk shows here, not as a traceback at exit
        for note in NOTES:
            print(f"tcoapp-cli: {note}", file=sys.stderr)
        return status
    except (ScenarioError, BadInput) as err:
        print(f"tcoapp-cli: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except OSError as err:
        if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
            _silence_stdout()
            print(f"tcoapp-cli: cannot write: {err.strerror or 'no space left on device'}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return _internal_error(err)
    except MemoryError:
        print("tcoapp-cli: not enough memory for this request: ask for fewer points or samples", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # an internal error: say so, with a traceback only on request
        return _internal_error(err)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _internal_error(err: BaseException) -> int:
    if os.environ.get("TCOAPP_DEBUG"):
        raise err
    print(f"tcoapp-cli: internal error: {type(err).__name__}: {err} "
          "(set TCOAPP_DEBUG=1 for a traceback)", file=sys.stderr)
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Drop what could not be written, so Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
