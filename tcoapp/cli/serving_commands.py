"""``tcoapp-cli tradeoff`` and ``thinking``: serving trade-offs, each one engine batch.

Self-contained (it loads files itself and raises :class:`ScenarioError` for bad input,
which ``tcoapp-cli`` turns into exit 2), so it imports nothing back from ``cli.main``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def _load(path: str):
    from ..scenario.files import load_scenario

    return load_scenario(Path(path))


def _numbers(text: str, option: str) -> list[float]:
    from ..scenario.errors import ScenarioError

    if text.strip() and any(not v.strip() for v in text.split(",")):  # "1,,2": a value left out
        raise ScenarioError("has an empty value between commas", path=option, value=text)
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ScenarioError("must be numbers separated by commas, e.g. 0,1000,4000", path=option,
                            value=text) from None
    if not values:
        raise ScenarioError("must list at least one number", path=option, value=text)
    if not all(math.isfinite(v) for v in values):
        raise ScenarioError("must all be finite numbers (not nan or inf)", path=option, value=text)
    return values


def _write_png(draw, data, path: str) -> None:
    from ..reports.figures import render
    from ..scenario.errors import ScenarioError

    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ScenarioError("must name a .png file", path="--png", value=path)
    if not target.parent.is_dir():
        raise ScenarioError(f"cannot write: folder {str(target.parent)!r} does not exist", path="--png", value=path)
    from ..scenario.files import check_output_target

    try:
        check_output_target(target)
    except ScenarioError as err:
        raise ScenarioError(err.rule, path="--png", value=path) from None
    try:
        render(draw, data, target, size=(10, 6))
    except OSError as error:  # a read-only folder or file system, a full disk: one line, exit 2
        raise ScenarioError(f"cannot write: {error.strerror or error}", path="--png", value=path) from None
    print(f"wrote {target}")


def cmd_tradeoff(args) -> int:
    from ..reports.serving_figures import draw_tradeoff
    from ..scenario.serving import TRADEOFF_BATCHES, latency_tradeoff

    scenario = _load(args.file)
    chips = list(dict.fromkeys(c.strip() for c in args.chips.split(",") if c.strip())) if args.chips else None
    batches = _numbers(args.batches, "--batches") if args.batches else TRADEOFF_BATCHES
    data = latency_tradeoff(scenario, chips=chips, batches=batches)
    if args.png:
        _write_png(lambda fig, d: draw_tradeoff(fig, d, highlight=scenario.inference.chip), data, args.png)
    if args.json:
        json.dump(data, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif not args.png:
        cur = data["currency"]
        print(f"Cost per million tokens ({cur}) against decode speed per user (tokens/s), by batch; "
              "* = this scenario's batch")
        for chip in data["chips"]:
            if chip["error"] and not chip["points"]:
                print(f"  {chip['label']}: cannot serve ({chip['error']})")
                continue
            cells = [f"B={p['replica_batch']:.0f}: {p['tokens_per_s_per_user']:,.1f} tok/s {cur} "
                     f"{p['cost_per_million_tokens']:,.3f}" for p in chip["points"]]
            now = chip["current"]
            mark = (f"  * B={now['replica_batch']:.0f}: {now['tokens_per_s_per_user']:,.1f} tok/s, {cur} "
                    f"{now['cost_per_million_tokens']:,.3f}, answer {now['answer_seconds']:,.1f} s") if now else ""
            print(f"  {chip['label']}{mark}")
            print("      " + "; ".join(cells))
    return 0


def cmd_thinking(args) -> int:
    from ..reports.serving_figures import draw_thinking
    from ..scenario.serving import THINKING_BUDGETS, thinking_budget

    scenario = _load(args.file)
    values = _numbers(args.values, "--values") if args.values else THINKING_BUDGETS
    data = thinking_budget(scenario, values)
    if args.png:
        _write_png(draw_thinking, data, args.png)
    if args.json:
        json.dump(data, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif not args.png:
        cur = data["currency"]
        print(f"{'reasoning tokens':>16}  {'cost per request':>18}  {'per 1M tokens':>14}  {'answer time':>12}")
        for i, v in enumerate(data["values"]):
            cost, cpm, sec = data["cost_per_request"][i], data["cost_per_million_tokens"][i], data["answer_seconds"][i]
            if data["errors"][i]:
                print(f"{v:>16,.0f}  cannot compute: {data['errors'][i]}")
                continue
            print(f"{v:>16,.0f}  {cur} {cost:>14,.5f}  {cur} {cpm:>10,.3f}  "
                  f"{'—' if sec is None else f'{sec:,.1f} s':>12}")
    return 0


def add_serving_commands(sub) -> None:
    """Register ``tradeoff`` and ``thinking`` on the ``tcoapp-cli`` subparsers."""
    p = sub.add_parser("tradeoff", help="cost per million tokens against decode speed per user on each chip "
                                        "(the throughput-latency trade-off), one engine batch")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--chips", metavar="ID,ID", help="chips to compare (default: the scenario's and every catalog chip)")
    p.add_argument("--batches", metavar="N,N", help="batch sizes to try (default 1,2,4,...,1024)")
    p.add_argument("--json", action="store_true", help="print the curves as JSON")
    p.add_argument("--png", metavar="OUT.png", help="draw the chart into a PNG file")
    p.set_defaults(func=cmd_tradeoff)

    p = sub.add_parser("thinking", help="cost and answer time as reasoning tokens grow (the thinking budget)")
    p.add_argument("file", metavar="FILE.tco")
    p.add_argument("--values", metavar="N,N", help="reasoning tokens per request to try "
                                                  "(default 0,500,1000,2000,4000,8000,16000,32000)")
    p.add_argument("--json", action="store_true", help="print the sweep as JSON")
    p.add_argument("--png", metavar="OUT.png", help="draw the chart into a PNG file")
    p.set_defaults(func=cmd_thinking)
