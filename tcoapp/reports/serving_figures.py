"""Serving charts: cost per million tokens against speed per user, and the thinking budget.

Drawn onto a given :class:`matplotlib.figure.Figure` (never pyplot) from the dicts of
:mod:`tcoapp.scenario.serving`, for the GUI, the CLI's PNG export and the docs alike.

>>> from matplotlib.figure import Figure
>>> data = {"currency": "USD", "chips": [{"chip": "x", "label": "X", "error": None, "current": None,
...         "points": [{"tokens_per_s_per_user": 50.0, "cost_per_million_tokens": 2.0},
...                    {"tokens_per_s_per_user": 20.0, "cost_per_million_tokens": 0.5}]}]}
>>> draw_tradeoff(Figure(), data).get_xlabel()
'Decode speed each user sees (tokens/s, log scale)'
"""

from __future__ import annotations

from typing import Mapping

from .figures import money_text

#: Colour-blind-safe cycle (Okabe-Ito) for one line per chip.
_CYCLE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _money_per_million(value: float, currency: str) -> str:
    if abs(value) >= 1000:
        return money_text(value, currency)
    return f"{currency} {value:,.2f}" if abs(value) >= 0.1 else f"{currency} {value:.3g}"


def draw_tradeoff(fig, data: Mapping, highlight: str | None = None):
    """One curve per chip: each point a batch size, from fast-and-dear (left, top) to slow-and-cheap.

    The scenario's own operating point on each chip is a filled star (its batch rule and
    interactivity target); chips that cannot serve the scenario are listed under the chart.
    ``highlight`` (else ``data["highlight"]``) is a chip id drawn with a thicker line.
    """
    highlight = highlight if highlight is not None else data.get("highlight")
    fig.clear()
    ax = fig.add_subplot(111)
    currency = data.get("currency", "USD")
    cant = []
    drawn = 0
    for k, chip in enumerate(data["chips"]):
        points = [p for p in chip["points"]
                  if p.get("tokens_per_s_per_user") and p.get("cost_per_million_tokens") is not None]
        if not points:
            cant.append(chip["label"])
            continue
        color = _CYCLE[drawn % len(_CYCLE)]
        marker = _MARKERS[drawn % len(_MARKERS)]
        drawn += 1
        points.sort(key=lambda p: p["tokens_per_s_per_user"])
        xs = [p["tokens_per_s_per_user"] for p in points]
        ys = [p["cost_per_million_tokens"] for p in points]
        width = 2.6 if chip["chip"] == highlight else 1.4
        ax.plot(xs, ys, color=color, marker=marker, markersize=4, linewidth=width, label=chip["label"])
        current = chip.get("current")
        if current and current.get("tokens_per_s_per_user") and current.get("cost_per_million_tokens") is not None:
            ax.plot([current["tokens_per_s_per_user"]], [current["cost_per_million_tokens"]], marker="*",
                    markersize=13, color=color, markeredgecolor="black", linestyle="none")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Decode speed each user sees (tokens/s, log scale)")
    ax.set_ylabel(f"Inference cost per million tokens ({currency}, log scale)")
    ax.set_title("Throughput against interactivity: cost per token and speed per user, by chip")
    ax.yaxis.set_major_formatter(_formatter(lambda v: _money_per_million(v, currency)))
    ax.xaxis.set_major_formatter(_formatter(lambda v: f"{v:,.0f}" if v >= 1 else f"{v:.2g}"))
    ax.xaxis.set_minor_formatter(_formatter(lambda v: ""))
    ax.grid(True, which="major", alpha=0.3)
    if drawn:
        ax.legend(fontsize="small", loc="best", title="★ = this scenario's batch", title_fontsize="small")
    else:
        ax.text(0.5, 0.5, "No chip can serve this scenario", transform=ax.transAxes, ha="center")
    if cant:
        shown = ", ".join(cant[:8]) + (f" and {len(cant) - 8} more" if len(cant) > 8 else "")
        fig.text(0.01, 0.01, f"Cannot serve this scenario: {shown}", fontsize="x-small", alpha=0.8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def draw_thinking(fig, data: Mapping):
    """Cost per request (left axis) and time to a full answer (right axis) as reasoning tokens grow."""
    fig.clear()
    ax = fig.add_subplot(111)
    currency = data.get("currency", "USD")
    xs = data["values"]
    cost = data["cost_per_request"]
    pairs = [(x, y) for x, y in zip(xs, cost) if y is not None]
    ax.plot([x for x, _ in pairs], [y for _, y in pairs], color="#e69f00", marker="o", linewidth=2,
            label=f"Inference cost per request ({currency})")
    ax.set_xlabel("Reasoning (thinking) tokens per request")
    ax.set_ylabel(f"Inference cost per request ({currency})")
    ax.yaxis.set_major_formatter(_formatter(lambda v: _money_per_million(v, currency)))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    handles = ax.get_lines()
    seconds = data.get("answer_seconds") or []
    timed = [(x, y) for x, y in zip(xs, seconds) if y is not None]
    if timed:
        right = ax.twinx()
        right.plot([x for x, _ in timed], [y for _, y in timed], color="#0072b2", marker="s", linewidth=2,
                   linestyle="--", label="Time to a full answer (s)")
        right.set_ylabel("Time to a full answer (seconds)")
        right.set_ylim(bottom=0)
        handles = handles + right.get_lines()
        note = None
    else:
        note = "Answer time: not estimated (API deployment or measured throughputs)"
    ax.legend(handles, [h.get_label() for h in handles], fontsize="small", loc="upper left")
    ax.set_title("Thinking budget: what longer reasoning costs and how long an answer takes")
    if note:
        fig.text(0.01, 0.01, note, fontsize="x-small", alpha=0.8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def _formatter(fn):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: fn(v))


__all__ = ["draw_tradeoff", "draw_thinking"]
