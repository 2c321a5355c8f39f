"""What the engine's summary outputs mean: label and unit of every summary key.

The schema describes the inputs (titles, units, rules); this module describes
the outputs, for every consumer (text reports, the workbook, the GUI, the
sensitivity tools). ``{cur}`` in a unit stands for the scenario's currency.
"""

from __future__ import annotations

import math

#: Label and unit of every summary key of the model (methodology section 5).
SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "training_cost": ("Training cost", "{cur}"),
    "inference_cost": ("Inference cost", "{cur}"),
    "total_cost": ("Lifetime cost", "{cur}"),
    "inference_share": ("Inference share of lifetime cost", "%"),
    "crossover_month": ("Inference overtakes training", "month"),
    "npv_total": ("NPV of all costs (cash)", "{cur}"),
    "npv_training": ("NPV of training (cash)", "{cur}"),
    "npv_inference": ("NPV of inference (cash)", "{cur}"),
    "cost_per_million_tokens": ("Inference cost per million tokens", "{cur}"),
    "cost_per_request": ("Inference cost per request", "{cur}"),
    "peak_chips": ("Peak inference chips", "chips"),
    "training_chips": ("Average training cluster", "chips"),
    "energy_mwh": ("Inference energy", "MWh"),
    "residual_book_value": ("Book value left at the end", "{cur}"),
    "replica_chips": ("Chips per replica", "chips"),
    "replica_prefill_tokens_per_s": ("Replica prefill throughput", "tokens/s"),
    "replica_decode_tokens_per_s": ("Replica decode throughput", "tokens/s"),
    "replica_batch": ("Requests decoded together per replica", "requests"),
    "tokens_per_s_per_user": ("Decode speed each user sees", "tokens/s"),
    "answer_seconds": ("Time to a full answer", "s"),
    "revenue_total": ("Revenue", "{cur}"),
    "profit": ("Profit", "{cur}"),
    "npv_profit": ("NPV of profit", "{cur}"),
    "payback_month": ("Payback", "month"),
    "irr": ("IRR (annual)", "%"),
}

#: Summary keys by kind of number, for formatting.
MONEY_KEYS = frozenset(k for k, (_, unit) in SUMMARY_LABELS.items() if unit == "{cur}")
SHARE_KEYS = frozenset({"inference_share", "irr"})
MONTH_KEYS = frozenset({"crossover_month", "payback_month"})
#: Summary keys where more is better (comparisons rank them highest first; every other key lowest first).
HIGHER_IS_BETTER = frozenset({"revenue_total", "profit", "npv_profit", "irr", "replica_prefill_tokens_per_s",
                              "replica_decode_tokens_per_s", "tokens_per_s_per_user"})


def metric_label(key: str, currency: str = "USD") -> tuple[str, str]:
    """Label and unit of a summary key, with the currency filled in.

    >>> metric_label("total_cost", "EUR")
    ('Lifetime cost', 'EUR')
    """
    if key not in SUMMARY_LABELS:
        raise KeyError(f"unknown metric {key!r}; choose one of {', '.join(SUMMARY_LABELS)}")
    label, unit = SUMMARY_LABELS[key]
    return label, unit.format(cur=currency)


def json_number(value) -> float | None:
    """A computed number for a JSON document: a float, or None where it is NaN or infinite (null).

    >>> json_number(2), json_number(float("nan")), json_number(float("inf"))
    (2.0, None, None)
    """
    value = float(value)
    return value if math.isfinite(value) else None
