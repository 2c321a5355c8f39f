"""More charts for the GUI's compare and sensitivity views, drawn onto a given Figure.

Qt-free and pyplot-free, like :mod:`tcoapp.reports.figures`: each function
clears nothing and creates its own axes on the Figure it is given, so the GUI
hosts it in a canvas and an export renders it through Agg.

Money axes are scaled to thousands, millions or billions and say so in the
axis label with the currency (``"Cumulative cost (USD million)"``).
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Mapping, Sequence

_SCALES = ((1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def money_scale(values: Sequence[float]) -> tuple[float, str]:
    """Divisor and word for a money axis.

    >>> money_scale([2.5e6, 1e7])
    (1000000.0, 'million')
    >>> money_scale([12.0])
    (1.0, '')
    """
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    for divisor, word in _SCALES:
        if top >= divisor:
            return divisor, word
    return 1.0, ""


def money_label(title: str, currency: str, word: str) -> str:
    """``"Cumulative cost (USD million)"``."""
    return f"{title} ({currency} {word})".replace(" )", ")") if word else f"{title} ({currency})"


def month_dates(labels: Sequence[str]) -> list[_dt.date]:
    """``YYYY-MM`` labels as the first day of each month."""
    return [_dt.date(int(label[:4]), int(label[5:7]), 1) for label in labels]


def ink(ax) -> str:
    """A text colour readable on the axes' background (for text drawn inside the plot)."""
    red, green, blue, _ = ax.get_facecolor()
    return "#222222" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "#eeeeee"


def _format_date_axis(ax) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _cumulative(values: Sequence[float | None]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += 0.0 if value is None else value
        out.append(total)
    return out


def draw_compare_curves(fig, curves: Sequence[Mapping], currency: str = "USD") -> None:
    """Cumulative total cost of several scenarios on one calendar axis.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    curves : list of dict
        ``{"label": str, "months": [YYYY-MM, ...], "total": [monthly cost, ...]}``
        (a report's ``months`` and ``series["total"]``).
    currency : str
    """
    ax = fig.add_subplot(111)
    cumulative = [_cumulative(c["total"]) for c in curves]
    divisor, word = money_scale([v for series in cumulative for v in series[-1:]])
    for index, (curve, values) in enumerate(zip(curves, cumulative)):
        ax.plot(month_dates(curve["months"]), [v / divisor for v in values], label=curve["label"],
                color=PALETTE[index % len(PALETTE)], linewidth=1.8)
    ax.set_title("Cumulative lifetime cost")
    ax.set_ylabel(money_label("Cumulative cost", currency, word))
    ax.grid(True, alpha=0.3)
    _format_date_axis(ax)
    if curves:
        ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()


def draw_ranking(fig, rows: Sequence[Mapping], metric_label: str, currency: str = "USD") -> None:
    """Horizontal bars of a ranked comparison (deployments or chips); failed rows are listed, not drawn.

    ``rows``: ``{"label", "value", "error"}`` ranked best first.
    """
    ax = fig.add_subplot(111)
    good = [r for r in rows if r.get("error") is None and r.get("value") is not None]
    divisor, word = money_scale([r["value"] for r in good])
    labels = [str(r["label"]) for r in good][::-1]
    values = [r["value"] / divisor for r in good][::-1]
    colors = [PALETTE[0]] * len(values)
    if colors:
        colors[-1] = PALETTE[2]  # the best
    ax.barh(labels, values, color=colors)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:,.3g}", va="center", fontsize="small", color=ink(ax))
    ax.set_xlabel(money_label(metric_label, currency, word).replace(" (", "\n("))
    ax.grid(True, axis="x", alpha=0.3)
    ax.margins(x=0.3)
    failed = [r for r in rows if r.get("error") is not None]
    if failed:
        ax.set_title(f"{len(failed)} not possible (see table)", fontsize="small", loc="right")
    fig.tight_layout()


def draw_histogram(fig, histogram: Mapping, stats: Mapping, label: str, unit: str) -> None:
    """A Monte Carlo histogram with the P10, P50 and P90 marked.

    Parameters
    ----------
    histogram : dict
        ``{"edges": [...], "counts": [...]}``.
    stats : dict
        ``{"p10", "p50", "p90", "mean", ...}``.
    label : str
        What was sampled, e.g. ``"Lifetime cost"``.
    unit : str
        A currency code for money, ``"%"`` for shares, or another unit.
    """
    ax = fig.add_subplot(111)
    edges = list(histogram["edges"])
    counts = list(histogram["counts"])
    is_share = unit == "%"
    divisor, word = (0.01, "") if is_share else money_scale(edges) if _is_money(unit) else (1.0, "")
    scaled = [e / divisor for e in edges]
    widths = [b - a for a, b in zip(scaled[:-1], scaled[1:])]
    total = sum(counts) or 1
    ax.bar(scaled[:-1], [c / total for c in counts], width=widths, align="edge", color=PALETTE[0], alpha=0.75,
           edgecolor="none")
    styles = {"p10": ("P10", "--"), "p50": ("P50", "-"), "p90": ("P90", "--")}
    for key, (name, style) in styles.items():
        value = stats.get(key)
        if value is None or not math.isfinite(value):
            continue
        x = value / divisor
        ax.axvline(x, color=PALETTE[1], linestyle=style, linewidth=1.2)
        ax.annotate(f"{name}\n{x:,.3g}", (x, 1), xycoords=("data", "axes fraction"), ha="center", va="top",
                    fontsize="small", xytext=(0, -2), textcoords="offset points", color=ink(ax),
                    bbox={"boxstyle": "round,pad=0.15", "fc": ax.get_facecolor(), "ec": "none", "alpha": 0.8})
    if is_share:
        ax.set_xlabel(f"{label} (%)")
    elif _is_money(unit):
        ax.set_xlabel(money_label(label, unit, word))
    else:
        ax.set_xlabel(f"{label} ({unit})" if unit else label)
    ax.set_ylabel("Share of samples")
    ax.set_title(f"{label}: distribution")
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_ylim(0, max([c / total for c in counts], default=1) * 1.3)
    fig.tight_layout()


def tick_text(value: float) -> str:
    """A short axis value: ``4M``, ``250k``, ``0.467``.

    >>> tick_text(4e6), tick_text(2.5e5), tick_text(0.4667), tick_text(1200)
    ('4M', '250k', '0.467', '1,200')
    """
    size = abs(value)
    for divisor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")):
        if size >= divisor:
            scaled = value / divisor if suffix != "k" else value / 1e3
            return f"{scaled:,.3g}{suffix}"
    return f"{value:,.4g}" if size >= 1000 else f"{value:.3g}"


def _is_money(unit: str) -> bool:
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def draw_fan(fig, bands: Mapping, currency: str = "USD") -> None:
    """A fan chart of cumulative total cost: P10-P90 and P5-P95 bands around the P50.

    ``bands``: ``{"months": ["YYYY-MM", ...], "p5", "p10", "p50", "p90", "p95": [cumulative cost per month]}``.
    """
    ax = fig.add_subplot(111)
    dates = month_dates(list(bands["months"]))
    divisor, word = money_scale([v for v in bands["p95"] if v is not None])

    def scaled(key):
        return [math.nan if v is None else v / divisor for v in bands[key]]

    ax.fill_between(dates, scaled("p5"), scaled("p95"), color=PALETTE[0], alpha=0.15, label="P5–P95")
    ax.fill_between(dates, scaled("p10"), scaled("p90"), color=PALETTE[0], alpha=0.3, label="P10–P90")
    ax.plot(dates, scaled("p50"), color=PALETTE[0], linewidth=1.8, label="P50")
    ax.set_title("Cumulative cost: uncertainty over time")
    ax.set_ylabel(money_label("Cumulative cost", currency, word))
    ax.grid(True, alpha=0.3)
    _format_date_axis(ax)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()


def draw_heatmap(fig, sweep: Mapping, x_label: str, y_label: str, metric_label: str, unit: str) -> None:
    """A two-way sweep as a heat map with the values written in the cells.

    ``sweep``: ``{"x": [...], "y": [...], "grid": [[...]]}`` with ``grid[iy][ix]``.
    """
    import numpy as np

    ax = fig.add_subplot(111)
    grid = np.array(sweep["grid"], dtype=float)
    finite = grid[np.isfinite(grid)]
    is_share = unit == "%"
    divisor, word = (0.01, "") if is_share else money_scale(finite.tolist()) if _is_money(unit) else (1.0, "")
    shown = grid / divisor
    image = ax.imshow(shown, origin="lower", aspect="auto", cmap="viridis")
    xs, ys = list(sweep["x"]), list(sweep["y"])
    ax.set_xticks(range(len(xs)), [tick_text(v) for v in xs], rotation=45 if len(xs) > 6 else 0, ha="right"
                  if len(xs) > 6 else "center")
    ax.set_yticks(range(len(ys)), [tick_text(v) for v in ys])
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if shown.size <= 100:
        low, high = (np.nanmin(shown), np.nanmax(shown)) if finite.size else (0, 1)
        for iy in range(shown.shape[0]):
            for ix in range(shown.shape[1]):
                value = shown[iy, ix]
                if math.isfinite(value):
                    light = (value - low) / ((high - low) or 1) > 0.6
                    ax.text(ix, iy, f"{value:,.3g}", ha="center", va="center", fontsize="x-small",
                            color="black" if light else "white")
    if is_share:
        bar_label = f"{metric_label} (%)"
    elif _is_money(unit):
        bar_label = money_label(metric_label, unit, word)
    else:
        bar_label = f"{metric_label} ({unit})" if unit else metric_label
    fig.colorbar(image, ax=ax, label=bar_label)
    ax.set_title(f"{metric_label} by {x_label.split(' (')[0].lower()} and {y_label.split(' (')[0].lower()}",
                 fontsize="medium")
    fig.tight_layout()


def draw_tornado_fallback(fig, tornado: Mapping) -> None:
    """A plain tornado chart, used only when :mod:`tcoapp.reports.figures` lacks ``draw_tornado``."""
    ax = fig.add_subplot(111)
    rows = list(tornado.get("rows", []))[:12][::-1]
    base = tornado.get("base") or 0.0
    unit = tornado.get("unit", "")
    divisor, word = money_scale([base] + [r["low_metric"] for r in rows] + [r["high_metric"] for r in rows]) \
        if _is_money(unit) else (1.0, "")
    for y, row in enumerate(rows):
        low, high = row["low_metric"] / divisor, row["high_metric"] / divisor
        ax.barh(y, low - base / divisor, left=base / divisor, color=PALETTE[0])
        ax.barh(y, high - base / divisor, left=base / divisor, color=PALETTE[1])
    ax.set_yticks(range(len(rows)), [r["title"] for r in rows])
    ax.axvline(base / divisor, color="grey", linewidth=1)
    label = tornado.get("metric_label", "Metric")
    ax.set_xlabel(money_label(label, unit, word) if _is_money(unit) else f"{label} ({unit})")
    ax.set_title(f"What moves {label.lower()}")
    fig.tight_layout()


def _plan_point(design: Mapping | None, key: str) -> tuple[float, float] | None:
    """(billions of parameters, value) of a plan design, or None where it is not available."""
    if not design:
        return None
    params, value = design.get("params"), design.get(key)
    if params is None or value is None or not (math.isfinite(params) and math.isfinite(value)):
        return None
    return params / 1e9, value


def _plan_ylim(values: Sequence[float], marked: Sequence[float]) -> tuple[float, float]:
    """From zero to a little above the marked points and the large-model end of the curve.

    The small-model end of the curve climbs steeply (hundreds of thousands of
    tokens per parameter): it is left to run off the top so the minimum stays readable.
    """
    right = [v for v in values[-max(1, len(values) // 10):] if math.isfinite(v)]
    top = max([*right, *marked], default=0.0)
    low = min((v for v in values if math.isfinite(v)), default=0.0)
    top = max(top, 1.3 * low)
    return 0.0, 1.12 * top if top > 0 else 1.0


def _log_fraction(x: float, sizes: Sequence[float]) -> float:
    """Where ``x`` sits on the logarithmic size axis, from 0 (smallest size) to 1 (largest)."""
    finite = [v for v in sizes if math.isfinite(v) and v > 0]
    if not finite or max(finite) <= min(finite) or not x > 0:
        return 0.5
    low, high = math.log(min(finite)), math.log(max(finite))
    return (math.log(x) - low) / (high - low)


def draw_plan_curve(fig, plan: Mapping) -> None:
    """Right-sizing the model: lifetime cost and lifetime FLOPs against model size at the target quality.

    Two panels sharing a logarithmic size axis (billions of parameters): the
    engine's lifetime cost in the scenario's currency and the lifetime FLOPs
    ``6 N D_tr + 2 N D_inf``, with the recommended and the Chinchilla-optimal
    models marked and labelled.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    plan : dict
        A ``tcoapp-plan`` document (:func:`tcoapp.scenario.planning.plan_document`):
        ``curve`` (``params``, ``total_cost``, ``total_flops``), ``optimal`` and
        ``chinchilla`` (``params``, ``total_cost``, ``total_flops``),
        ``currency`` and ``objective``. Missing values are None.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    curve = plan.get("curve") or {}
    currency = plan.get("currency") or "USD"
    sizes = [math.nan if v is None else v / 1e9 for v in curve.get("params", [])]

    def series(key):
        return [math.nan if v is None else float(v) for v in curve.get(key, [])]

    cost, flops = series("total_cost"), series("total_flops")
    optimal, chinchilla = plan.get("optimal") or {}, plan.get("chinchilla") or {}
    same = (optimal.get("params") is not None and chinchilla.get("params") is not None
            and math.isclose(optimal["params"], chinchilla["params"], rel_tol=1e-6))
    ax_cost, ax_flops = fig.subplots(2, 1, sharex=True)
    labels = []

    # money: scaled to thousands/millions/billions; FLOPs: to a power of ten
    divisor, word = money_scale([v for v in cost if math.isfinite(v)])
    finite_flops = [v for v in flops if math.isfinite(v) and v > 0]
    exponent = int(math.floor(math.log10(min(finite_flops)))) if finite_flops else 0
    panels = (
        (ax_cost, cost, "total_cost", divisor, money_label("Lifetime cost", currency, word)),
        (ax_flops, flops, "total_flops", 10.0 ** exponent,
         f"Lifetime FLOPs ($\\times 10^{{{exponent}}}$)" if exponent else "Lifetime FLOPs"),
    )
    for ax, values, key, scale, label in panels:
        scaled = [v / scale for v in values]
        ax.set_ylabel(label)
        ax.grid(True, which="major", alpha=0.3)
        if not any(math.isfinite(v) for v in scaled):
            ax.text(0.5, 0.5, "Not available: no size could be costed\n(see the warnings)", ha="center",
                    va="center", transform=ax.transAxes, color=ink(ax))
            ax.set_yticks([])
            continue
        ax.plot(sizes, scaled, color=PALETTE[0], linewidth=1.6, zorder=2)
        points = []
        for design, name, marker, color in ((chinchilla, "Chinchilla-optimal", "o", PALETTE[1]),
                                            (optimal, "Recommended", "*", PALETTE[2])):
            point = _plan_point(design, key)
            if point is None:
                continue
            x, y = point[0], point[1] / scale
            points.append(y)
            ax.axvline(x, color=color, linestyle=":", linewidth=1, zorder=1)
            ax.plot([x], [y], marker=marker, markersize=11 if marker == "*" else 7, color=color,
                    markeredgecolor="white", markeredgewidth=0.8, linestyle="none", zorder=4)
            if name == "Recommended" and same:
                name = "Recommended = Chinchilla-optimal"
            elif name == "Chinchilla-optimal" and same:
                continue
            value = f"{currency} {tick_text(point[1])}" if key == "total_cost" else f"{point[1]:.3g} FLOPs"
            text = f"{name}\n{tick_text(point[0] * 1e9)} · {value}"
            where = _log_fraction(x, sizes)  # 0 at the left edge, 1 at the right
            if name.startswith("Recommended"):  # above the minimum, inside the U of the curve
                offset, va = (0, 14), "bottom"
                ha = "left" if where < 0.15 else "right" if where > 0.85 else "center"
            else:  # below and right of a point on the rising right-hand branch (left of it near the edge)
                offset, va, ha = ((8, -8), "top", "left") if where < 0.6 else ((-8, -8), "top", "right")
            labels.append(ax.annotate(
                text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize="small",
                color=ink(ax), zorder=5, annotation_clip=False,
                bbox={"boxstyle": "round,pad=0.2", "fc": ax.get_facecolor(), "ec": color, "lw": 0.8, "alpha": 0.9}))
        ax.set_ylim(*_plan_ylim(scaled, points))

    ax_cost.set_title("Lifetime cost at the target quality", loc="left")
    ax_flops.set_title("Lifetime FLOPs (training + inference)", loc="left")
    ax_flops.set_xscale("log")
    finite_sizes = [v for v in sizes if math.isfinite(v)]
    if finite_sizes:
        ax_flops.set_xlim(min(finite_sizes), max(finite_sizes))
    ax_flops.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax_flops.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.4g}"))
    ax_flops.xaxis.set_minor_formatter(NullFormatter())
    ax_flops.set_xlabel("Model size (billion parameters, log scale)")
    fig.tight_layout()
    _keep_inside(fig, labels)


def _keep_inside(fig, labels) -> None:
    """Shift the point labels sideways so that none runs past the left or right edge of its axes."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None or not labels:
        return
    try:
        renderer = get_renderer()
        for label in labels:
            box, frame = label.get_window_extent(renderer), label.axes.get_window_extent(renderer)
            shift = 0.0
            if box.x1 > frame.x1 - 2:
                shift = frame.x1 - 2 - box.x1
            elif box.x0 < frame.x0 + 2:
                shift = frame.x0 + 2 - box.x0
            if shift:
                dx, dy = label.xyann
                label.xyann = (dx + shift * 72.0 / fig.dpi, dy)
    except Exception:  # noqa: BLE001 - a label slightly off the edge is better than no chart
        return
