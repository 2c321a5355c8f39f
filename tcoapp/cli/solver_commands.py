"""``tcoapp-cli tornado | montecarlo | solve | sweep | compare``: the sensitivity solver.

Each command loads one scenario, asks one question of the solver (one batch
through the engine) and prints a readable table, or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import math
import sys

from ..reports.report import format_value
from ..scenario.outputs import SUMMARY_LABELS


def _unique(items):
    """Repeated options once each, in the order given (``--chip a --chip a`` compares ``a`` once)."""
    return list(dict.fromkeys(items)) if items else items


def _load(path: str):
    """The scenario, once it is known to compute (a bad one fails here, naming its field)."""
    from .common import evaluate_file

    return evaluate_file(path)[0]


def _fmt(key: str, value, scenario) -> str:
    return format_value(key, value, scenario.currency, scenario.start_month)


def _json(data) -> None:
    from .common import print_json

    print_json(data)


def _progress_printer(enabled: bool):
    if not enabled:
        return None

    def progress(fraction: float) -> None:
        sys.stderr.write(f"\r  {100 * fraction:5.1f} %")
        if fraction >= 1:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return progress


def _metric(value: str) -> str:
    if value not in SUMMARY_LABELS:
        raise argparse.ArgumentTypeError(f"unknown metric {value!r}; choose one of {', '.join(SUMMARY_LABELS)}")
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number")
    return value


def _floats(text: str) -> list[float]:
    items = text.split(",")
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} must be numbers separated by commas")
    if any(not v.strip() for v in items):  # "1,,2" or "1,2,": a value left out, never silently dropped
        raise argparse.ArgumentTypeError(f"{text!r} has an empty value between commas")
    return [_finite(v) for v in items]


#: Most points on a default sweep axis (a two-way grid is this squared).
MAX_POINTS = 201


def _points(text: str) -> int:
    from .common import positive_int

    value = positive_int(text)
    if value > MAX_POINTS:
        raise argparse.ArgumentTypeError(f"{text!r} must be at most {MAX_POINTS}")
    return value


def _positive_int(text: str) -> int:
    from .common import positive_int

    return positive_int(text)


def _seed(text: str) -> int:
    from .common import non_negative_int

    return non_negative_int(text)


def _check_in_rule(scenario, path: str, value: float, option: str) -> None:
    """Refuse a value the input cannot take (the solver would clip it silently), naming the option and rule.

    ``scenario`` may be a programme; ``path`` is then ``WORKLOAD/section.field`` or a shared field.
    """
    import numpy as np

    from ..scenario.errors import ScenarioError
    from ..scenario.programme import Programme, programme_with_values
    from ..scenario.schema import numeric_field_paths, with_values
    from ..scenario.sensitivity import clip_to_rule
    from .common import BadInput

    programme = isinstance(scenario, Programme)
    if programme:
        from ..scenario.programme_sensitivity import split_path

        field = split_path(scenario, path)[1]  # an unknown workload or field is named here
    else:
        field = path
    spec = numeric_field_paths().get(field)
    if spec is None:
        return  # the solver names an unknown input itself
    if spec.is_int:
        if value != round(value):
            raise BadInput(f"{option} {value:g}: {path} must be a whole number")
        value = int(round(value))
    try:
        if programme:
            programme_with_values(scenario, {path: value})
        else:
            with_values(scenario, {path: value})
    except ScenarioError as err:
        if err.path in (path, field) or err.path.endswith("." + field):
            raise BadInput(f"{option} {value:g}: {path} {err.rule}") from None
        raise
    if float(clip_to_rule(field, np.array([float(value)]))[0]) != value:
        raise BadInput(f"{option} {value:g}: outside the values {path} can take")


def cmd_tornado(args) -> int:
    from ..scenario.sensitivity import tornado

    scenario = _load(args.file)
    result = tornado(scenario, args.metric, args.inputs, args.swing)
    if args.json:
        _json(result)
        return 0
    print(f"Tornado of {result['metric_label']} ({result['unit']}): base {_fmt(args.metric, result['base'], scenario)}"
          f"; each input at low and high ({int(100 * args.swing)} % swing, or its uncertainty range)")
    rows = result["rows"][: args.top]
    width = max([len(r["title"]) for r in rows] + [5])
    print(f"  {'input':<{width}}  {'low':>12}  {'high':>12}  {'metric at low':>22}  {'metric at high':>22}")
    for r in rows:
        print(f"  {r['title']:<{width}}  {r['low_input']:>12.4g}  {r['high_input']:>12.4g}  "
              f"{_fmt(args.metric, r['low_metric'], scenario):>22}  {_fmt(args.metric, r['high_metric'], scenario):>22}")
    if len(result["rows"]) > len(rows):
        print(f"  ... {len(result['rows']) - len(rows)} inputs with smaller effects (--top N to see more)")
    return 0


def cmd_montecarlo(args) -> int:
    from ..scenario.sensitivity import DEFAULT_MC_METRICS, monte_carlo

    scenario = _load(args.file)
    metrics = args.metrics or list(DEFAULT_MC_METRICS)
    result = monte_carlo(scenario, samples=args.samples, seed=args.seed, metrics=metrics, events=args.events,
                         progress=_progress_printer(not args.json and sys.stderr.isatty()))
    if args.json:
        _json(result)
        return 0
    print(f"Monte Carlo: {result['samples']:,} samples, seed {result['seed']}, over "
          f"{', '.join(v['title'] for v in result['inputs'].values())}")
    if result["failed"]:
        print(f"  {result['failed']:,} samples could not be computed, e.g. {result['first_error']}")
    head = "".join(f"{k.upper():>18}" for k in ("p5", "p10", "p50", "p90", "p95", "mean"))
    print(f"  {'metric':<34}{head}")
    for key, stats in result["metrics"].items():
        cells = "".join(f"{_short(key, stats[k], scenario):>18}" for k in ("p5", "p10", "p50", "p90", "p95", "mean"))
        print(f"  {SUMMARY_LABELS[key][0]:<34}{cells}")
    for event, p in result["probabilities"].items():
        print(f"  P({event}) = {'—' if p is None else f'{100 * p:.1f} %'}")
    return 0


def _short(key, value, scenario) -> str:
    text = _fmt(key, value, scenario)
    if key in ("crossover_month", "payback_month") and value is not None:
        text = text.split(" (")[0]
    elif key in ("crossover_month", "payback_month"):
        text = "never"
    return text


def cmd_solve(args) -> int:
    from ..scenario.batch import evaluate
    from ..scenario.schema import with_values
    from ..scenario.sensitivity import goal_seek

    scenario = _load(args.file)
    target = args.target
    if args.target_deployment:
        other = with_values(scenario, {"inference.deployment": args.target_deployment})
        target = float(evaluate(other, source=args.file).summary[args.metric][0])
    if target is None:
        from .common import BadInput

        raise BadInput("solve needs --target VALUE or --target-deployment api|cloud|owned")
    _check_in_rule(scenario, args.input, args.low, "--low")
    _check_in_rule(scenario, args.input, args.high, "--high")
    result = goal_seek(scenario, args.input, args.metric, target, args.low, args.high, tol=args.tol,
                       progress=_progress_printer(not args.json and sys.stderr.isatty()))
    if args.target_deployment:
        result["target_deployment"] = args.target_deployment
    code = 0 if result["status"] in ("ok", "several solutions") else 3  # 3: no solution (see --help)
    if args.json:
        _json(result)
        return code
    print(f"Goal seek: {args.input} in [{result['low']:g}, {result['high']:g}] so that "
          f"{SUMMARY_LABELS[args.metric][0]} = {_fmt(args.metric, target, scenario)}")
    print(f"  {result['status']}: {result['message']}")
    if result["status"] == "ok":
        print(f"  {args.input} = {result['value']:.8g}  ->  {_fmt(args.metric, result['achieved'], scenario)}")
    elif result["status"] == "several solutions":
        for value, (low, high) in zip(result["solutions"], result["ranges"]):
            where = f"{value:.8g}" if low == high else f"{low:.8g} to {high:.8g}"
            print(f"  {args.input} = {where}")
    return code


def cmd_sweep(args) -> int:
    from ..scenario.sensitivity import linspace_around, sweep, sweep2

    scenario = _load(args.file)
    for value in args.values or ():
        _check_in_rule(scenario, args.input, value, "--values")
    for value in args.y_values or ():
        _check_in_rule(scenario, args.y_input or args.input, value, "--y-values")
    xs = args.values or linspace_around(scenario, args.input, args.points)
    if args.y_input:
        ys = args.y_values or linspace_around(scenario, args.y_input, args.points)
        result = sweep2(scenario, args.input, xs, args.y_input, ys, args.metric)
        if args.json:
            _json(result)
            return 0
        print(f"{SUMMARY_LABELS[args.metric][0]} over {args.input} (columns) x {args.y_input} (rows)")
        print("  " + " " * 12 + "".join(f"{x:>16.5g}" for x in result["x"]))
        for y, row in zip(result["y"], result["grid"]):
            print(f"  {y:>12.5g}" + "".join(f"{_short(args.metric, v, scenario):>16}" for v in row))
        return 0
    result = sweep(scenario, args.input, xs, [args.metric])
    if args.json:
        _json(result)
        return 0
    print(f"{SUMMARY_LABELS[args.metric][0]} against {args.input}")
    for x, v, err in zip(result["values"], result["metrics"][args.metric], result["errors"]):
        print(f"  {x:>14.6g}  {_fmt(args.metric, v, scenario) if err is None else 'cannot compute: ' + err}")
    return 0


def cmd_compare(args) -> int:
    from ..scenario.sensitivity import compare_chips, compare_deployments

    scenario = _load(args.file)
    if args.what == "deployments":
        from .common import warn_about

        warn_about(scenario, args.file, compared_deployments=("api", "cloud", "owned"))
        result = compare_deployments(scenario, args.metric)
    else:
        result = compare_chips(scenario, _unique(args.chips), args.metric, role=args.role)
    if args.json:
        _json(result)
        return 0
    title = "deployments" if args.what == "deployments" else f"chips ({result['role']} chip swapped)"
    print(f"{SUMMARY_LABELS[args.metric][0]} across {title}, best first")
    width = max(len(r["label"]) for r in result["rows"])
    for r in result["rows"]:
        rank = f"{r['rank']:>3}." if r["rank"] else "   -"
        value = _fmt(args.metric, r["value"], scenario) if r["error"] is None else f"cannot: {r['error']}"
        print(f"  {rank} {r['label']:<{width}}  {value}")
    return 0


def add_solver_commands(sub) -> None:
    """Register the solver's subcommands on the CLI's subparsers."""
    metric_help = "summary metric (a section-5 key of docs/methodology.md, e.g. total_cost, npv_total, inference_share, " \
                  "crossover_month, cost_per_million_tokens, irr)"

    p = sub.add_parser("tornado", help="which inputs matter most: the metric at each input's low and high value")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--metric", type=_metric, default="total_cost", help=metric_help + "; default total_cost")
    p.add_argument("--swing", type=_finite, default=0.2, help="low/high = base x (1 -/+ swing); default 0.2")
    p.add_argument("--input", dest="inputs", action="append", metavar="PATH",
                   help="an input's dotted path (repeat); default every continuous input with a value")
    p.add_argument("--top", type=_positive_int, default=15, help="rows to print (text output); default 15")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tornado)

    p = sub.add_parser("montecarlo", help="how sure are we: percentiles over the scenario's uncertainty section")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--samples", type=_positive_int, default=10_000, help="number of samples; default 10,000")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (same seed, same answer); default 0")
    p.add_argument("--metric", dest="metrics", action="append", type=_metric, metavar="KEY",
                   help="metric to report (repeat); default total_cost, npv_total, inference_share, crossover_month")
    p.add_argument("--event", dest="events", action="append", metavar="EXPR",
                   help="probability to report, e.g. 'inference_share>0.6', 'crossover_month<24', 'npv_profit>0'")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_montecarlo)

    p = sub.add_parser("solve", help="goal seek: the value of one input at which a metric reaches a target "
                                     "(exit 3 when there is none in the range)",
                       epilog="exit status: 0 a solution, 3 no solution in the range, 2 bad input, 1 internal error")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--input", required=True, metavar="PATH", help="the input to solve for, e.g. inference.requests_per_day")
    p.add_argument("--metric", type=_metric, required=True, help=metric_help)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--target", type=_finite, help="the value the metric must reach")
    target.add_argument("--target-deployment", choices=("api", "cloud", "owned"),
                        help="reach the metric of this scenario deployed this way (e.g. cloud_rate at which "
                             "cloud costs what owned does)")
    p.add_argument("--low", type=_finite, required=True, help="lower end of the search range")
    p.add_argument("--high", type=_finite, required=True, help="upper end of the search range")
    p.add_argument("--tol", type=_finite, help="tolerance on the metric; default 1e-6 x |target|")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("sweep", help="the metric over N values of one input, or a grid of two inputs")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--input", required=True, metavar="PATH")
    p.add_argument("--values", type=_floats, help="comma-separated values; default 11 points from -50 %% to +50 %%")
    p.add_argument("--y-input", metavar="PATH", help="a second input for a two-way grid")
    p.add_argument("--y-values", type=_floats)
    p.add_argument("--points", type=_points, default=11,
                   help=f"points per default axis (at most {MAX_POINTS}); default 11")
    p.add_argument("--metric", type=_metric, default="total_cost", help=metric_help + "; default total_cost")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("compare", help="rank chips or deployments (api, cloud, owned) by a metric")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("what", choices=("chips", "deployments"))
    p.add_argument("--metric", type=_metric, default="total_cost", help=metric_help + "; default total_cost")
    p.add_argument("--chip", dest="chips", action="append", metavar="ID", help="chip id (repeat); default all")
    p.add_argument("--role", choices=("inference", "training", "both"), default="inference",
                   help="which of the scenario's chips to swap; default inference")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)
