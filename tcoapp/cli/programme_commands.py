"""``tcoapp-cli`` on programme files (``"format": "tcoapp-programme"``, methodology section 6).

``report``, ``validate``, ``export`` (workbook and CSV), ``tornado``, ``montecarlo``, ``solve``,
``sweep`` and ``compare`` accept a programme where they accept a scenario; the
command line is the same, inputs are named ``WORKLOAD/section.field`` or a shared
``finance.field`` / ``facility.field``, and ``compare`` takes ``--workload NAME``.
Each question is one engine batch.
"""

from __future__ import annotations

from pathlib import Path

from ..reports.report import format_value
from ..scenario.outputs import SUMMARY_LABELS
from .solver_commands import _unique

#: The commands that accept a programme file (``plan`` refuses one with a clear message).
PROGRAMME_COMMANDS = ("report", "validate", "export", "tornado", "montecarlo", "solve", "sweep", "compare",
                      "chips")


def is_programme(path) -> bool:
    from ..scenario.programme import is_programme_file

    return path is not None and Path(path).suffix.lower() != ".xlsx" and is_programme_file(path)


def _evaluate(path: str):
    from ..scenario.programme import evaluate_programme, load_programme

    programme = load_programme(path)
    result = evaluate_programme(programme, source=path)
    _warn_workloads(programme, path)
    from .common import warn_about_result

    warn_about_result(result, path, programme.names)  # figures beyond double precision show as null
    return programme, result


def _warn_workloads(programme, path: str) -> None:
    """Each workload's warnings (zero API prices, stale catalog prices, uncalibrated chips) for stderr."""
    from ..scenario.programme import workload_scenario
    from .common import warn_about

    for index, workload in enumerate(programme.workloads):
        warn_about(workload_scenario(programme, index, source=path), f"{path} [{workload.name}]")


def _print_json(data) -> None:
    from .common import print_json as dump

    dump(data)


def _fmt(key, value, programme) -> str:
    return format_value(key, value, programme.currency, programme.start_month)


def _check_in_rule(programme, path: str, value: float, option: str) -> None:
    from .solver_commands import _check_in_rule as check

    check(programme, path, value, option)


def _bad(message: str):
    from .common import BadInput

    return BadInput(message)


def cmd_report(args) -> int:
    from ..reports.programme_report import build_programme_report, format_programme_summary

    programme, result = _evaluate(args.file)
    report = build_programme_report(programme, result)
    if args.json:
        _print_json(report)
    else:
        print(format_programme_summary(report, programme.start_month))
    return 0


def cmd_validate(args) -> int:
    programme, _ = _evaluate(args.file)
    print(f"{args.file}: valid (programme of {len(programme.workloads)} workloads)")
    return 0


def cmd_export(args) -> int:
    from ..reports.export import ExportError, check_file_target, check_folder_target
    from ..reports.programme_report import build_programme_report, write_programme_csv

    if args.png or args.svg or args.sensitivity:
        raise _bad("export of a programme writes the workbook (-o OUT.xlsx) and CSV tables (--csv DIR); "
                   "charts and --sensitivity are not available for programmes yet")
    if not args.output and not args.csv:
        raise _bad("export: give -o OUT.xlsx or --csv DIR for a programme")
    written = []
    try:
        if args.output:  # check every target before any work or writing
            check_file_target(args.output)
            if Path(args.output).suffix.lower() != ".xlsx":
                raise _bad(f"-o {args.output}: must name an .xlsx file")
            from .common import check_not_the_input

            check_not_the_input(args.output, args.file)
        if args.csv:
            check_folder_target(args.csv, create=False)
        programme, result = _evaluate(args.file)
        if args.output:
            from ..reports.export import write_programme_excel

            written.append(write_programme_excel(args.output, programme, result))
        if args.csv:
            written += write_programme_csv(args.csv, build_programme_report(programme, result), Path(args.file).stem)
    except ExportError as err:
        raise _bad(str(err)) from None
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_tornado(args) -> int:
    from ..scenario.programme_sensitivity import tornado

    programme, _ = _evaluate(args.file)
    result = tornado(programme, args.metric, args.inputs, args.swing)
    if args.json:
        _print_json(result)
        return 0
    print(f"Tornado of the programme's {result['metric_label']} ({result['unit']}): base "
          f"{_fmt(args.metric, result['base'], programme)}; each input at {int(100 * args.swing)} % below and above")
    rows = result["rows"][: args.top]
    width = max([len(r["title"]) for r in rows] + [5])
    print(f"  {'input':<{width}}  {'low':>12}  {'high':>12}  {'metric at low':>22}  {'metric at high':>22}")
    for r in rows:
        print(f"  {r['title']:<{width}}  {r['low_input']:>12.4g}  {r['high_input']:>12.4g}  "
              f"{_fmt(args.metric, r['low_metric'], programme):>22}  {_fmt(args.metric, r['high_metric'], programme):>22}")
    if len(result["rows"]) > len(rows):
        print(f"  ... {len(result['rows']) - len(rows)} inputs with smaller effects (--top N to see more)")
    return 0


def cmd_montecarlo(args) -> int:
    from ..scenario.programme_sensitivity import monte_carlo
    from .solver_commands import _short
    from ..scenario.sensitivity import DEFAULT_MC_METRICS

    programme, _ = _evaluate(args.file)
    metrics = args.metrics or list(DEFAULT_MC_METRICS)
    result = monte_carlo(programme, samples=args.samples, seed=args.seed, metrics=metrics, events=args.events)
    if args.json:
        _print_json(result)
        return 0
    print(f"Monte Carlo of the programme: {result['samples']:,} samples, seed {result['seed']}, over "
          f"{', '.join(result['inputs'])}")
    if result["failed"]:
        print(f"  {result['failed']:,} samples could not be computed, e.g. {result['first_error']}")
    keys = ("p5", "p10", "p50", "p90", "p95", "mean")
    print(f"  {'metric':<34}" + "".join(f"{k.upper():>18}" for k in keys))
    for key, stats in result["metrics"].items():
        print(f"  {SUMMARY_LABELS[key][0]:<34}" + "".join(f"{_short(key, stats[k], programme):>18}" for k in keys))
    for event, p in result["probabilities"].items():
        print(f"  P({event}) = {'—' if p is None else f'{100 * p:.1f} %'}")
    return 0


def cmd_solve(args) -> int:
    from ..scenario.programme import evaluate_programme
    from ..scenario.programme_sensitivity import goal_seek, with_deployment

    programme, _ = _evaluate(args.file)
    target = args.target
    workload = getattr(args, "workload", None)
    if args.target_deployment:
        if not workload:
            raise _bad("solve --target-deployment on a programme needs --workload NAME (one of "
                       f"{', '.join(programme.names)}): the workload deployed that way gives the target")
        other = evaluate_programme(with_deployment(programme, workload, args.target_deployment), source=args.file)
        target = float(other.summary[args.metric][0])
    _check_in_rule(programme, args.input, args.low, "--low")  # as for a scenario: no silent clipping
    _check_in_rule(programme, args.input, args.high, "--high")
    result = goal_seek(programme, args.input, args.metric, target, args.low, args.high, tol=args.tol)
    if args.target_deployment:
        result["target_deployment"] = args.target_deployment
        result["workload"] = workload
    code = 0 if result["status"] in ("ok", "several solutions") else 3  # 3: no solution, as for a scenario
    if args.json:
        _print_json(result)
        return code
    print(f"Goal seek: {args.input} in [{result['low']:g}, {result['high']:g}] so that the programme's "
          f"{SUMMARY_LABELS[args.metric][0]} = {_fmt(args.metric, target, programme)}")
    print(f"  {result['status']}: {result['message']}")
    if result["status"] == "ok":
        print(f"  {args.input} = {result['value']:.8g}  ->  {_fmt(args.metric, result['achieved'], programme)}")
    elif result["status"] == "several solutions":
        for value, (low, high) in zip(result["solutions"], result["ranges"]):
            print(f"  {args.input} = {f'{value:.8g}' if low == high else f'{low:.8g} to {high:.8g}'}")
    return code


def cmd_sweep(args) -> int:
    from ..scenario.programme_sensitivity import linspace_around, sweep, sweep2
    from .solver_commands import _short

    programme, _ = _evaluate(args.file)
    for value in args.values or ():  # as for a scenario: a value outside the rule is refused, not clipped
        _check_in_rule(programme, args.input, value, "--values")
    for value in args.y_values or ():
        _check_in_rule(programme, args.y_input or args.input, value, "--y-values")
    xs = args.values or linspace_around(programme, args.input, args.points)
    if args.y_input:
        ys = args.y_values or linspace_around(programme, args.y_input, args.points)
        result = sweep2(programme, args.input, xs, args.y_input, ys, args.metric)
        if args.json:
            _print_json(result)
            return 0
        print(f"The programme's {SUMMARY_LABELS[args.metric][0]} over {args.input} (columns) x {args.y_input} (rows)")
        print("  " + " " * 12 + "".join(f"{x:>16.5g}" for x in result["x"]))
        for y, row in zip(result["y"], result["grid"]):
            print(f"  {y:>12.5g}" + "".join(f"{_short(args.metric, v, programme):>16}" for v in row))
        return 0
    result = sweep(programme, args.input, xs, [args.metric])
    if args.json:
        _print_json(result)
        return 0
    print(f"The programme's {SUMMARY_LABELS[args.metric][0]} against {args.input}")
    for x, v, err in zip(result["values"], result["metrics"][args.metric], result["errors"]):
        print(f"  {x:>14.6g}  {_fmt(args.metric, v, programme) if err is None else 'cannot compute: ' + err}")
    return 0


def cmd_compare(args) -> int:
    from ..scenario.programme_sensitivity import compare_chips, compare_deployments

    programme, _ = _evaluate(args.file)
    workload = getattr(args, "workload", None)
    if not workload:
        raise _bad(f"compare on a programme needs --workload NAME (one of {', '.join(programme.names)})")
    if args.what == "deployments":
        result = compare_deployments(programme, workload, args.metric)
    else:
        if args.role != "inference":
            raise _bad("compare chips on a programme swaps a workload's inference chip only (--role inference)")
        result = compare_chips(programme, workload, _unique(args.chips), args.metric)
    if args.json:
        _print_json(result)
        return 0
    print(f"The programme's {SUMMARY_LABELS[args.metric][0]} with {workload} on each {args.what[:-1]}, best first")
    width = max(len(r["label"]) for r in result["rows"])
    for r in result["rows"]:
        rank = f"{r['rank']:>3}." if r["rank"] else "   -"
        value = _fmt(args.metric, r["value"], programme) if r["error"] is None else f"cannot: {r['error']}"
        print(f"  {rank} {r['label']:<{width}}  {value}")
    return 0


def cmd_chips(args) -> int:
    from ..scenario.programme import load_programme, workload_scenario
    from .chips_command import cmd_chips as scenario_chips

    programme = load_programme(args.file)
    # the catalog merged with the programme's chips, which every workload shares
    return scenario_chips(args, scenario=workload_scenario(programme, 0, source=args.file))


def cmd_plan(args) -> int:
    raise _bad("plan right-sizes the model of one scenario, not a programme: run it on a scenario file")


COMMANDS = {
    "chips": cmd_chips, "plan": cmd_plan,
    "report": cmd_report, "validate": cmd_validate, "export": cmd_export, "tornado": cmd_tornado,
    "montecarlo": cmd_montecarlo, "solve": cmd_solve, "sweep": cmd_sweep, "compare": cmd_compare,
}


def programme_handler(args):
    """The programme version of a command when its file is a programme, else None."""
    if args.command in COMMANDS and is_programme(getattr(args, "file", None)):
        return COMMANDS[args.command]
    if getattr(args, "workload", None) is not None:  # a scenario has one workload: the option would do nothing
        from .common import BadInput

        _check_readable(args)
        raise BadInput(f"--workload {args.workload!r}: {args.file} is a scenario, not a programme; "
                       "--workload names a workload of a programme file")
    return None


def _check_readable(args) -> None:
    """A FILE given with ``--workload`` that cannot be read is named as such (not called "a scenario")."""
    from ..scenario.errors import ScenarioError
    from ..scenario.files import read_json_object
    from .common import BadInput

    if args.file is None or Path(args.file).suffix.lower() == ".xlsx":
        return
    try:
        read_json_object(args.file)
    except ScenarioError as error:  # "FILE: file not found", "FILE: not valid JSON at line 1 column 2: ..."
        raise BadInput(f"--workload {args.workload!r}: {error}") from None


def add_programme_options(sub) -> None:
    """Options only programmes use, added to the existing subcommands."""
    sub.choices["compare"].add_argument(
        "--workload", metavar="NAME", help="on a programme: the workload whose chip or deployment is swapped")
    sub.choices["solve"].add_argument(
        "--workload", metavar="NAME", help="on a programme with --target-deployment: the workload deployed that way")


__all__ = ["programme_handler", "add_programme_options", "PROGRAMME_COMMANDS"]
