"""Checks that a ``tcoapp-report`` JSON document is complete and adds up.

Shared by ``tests/test_samples.py``, ``tests/test_properties.py`` and the CLI
tests. The key names below are copied from the model's section 5 (version 2) (and
the issue's ``cash_*`` series), not taken from the engine, so a renamed or
dropped key fails here.
"""

from __future__ import annotations

import math
import re

SERIES_KEYS = frozenset({
    "training_compute", "training_fixed", "inference_compute", "inference_energy", "inference_facility",
    "inference_ops", "training", "inference", "total", "requests", "tokens", "chips", "capex", "depreciation",
    "revenue", "cash_training", "cash_inference", "cash_total",
})

SUMMARY_KEYS = frozenset({
    "training_cost", "inference_cost", "total_cost", "inference_share", "crossover_month", "npv_total",
    "npv_training", "npv_inference", "cost_per_million_tokens", "cost_per_request", "peak_chips",
    "training_chips", "energy_mwh", "residual_book_value", "replica_chips", "replica_prefill_tokens_per_s",
    "replica_decode_tokens_per_s", "replica_batch", "tokens_per_s_per_user", "answer_seconds",
    "revenue_total", "profit", "npv_profit", "payback_month", "irr",
})

#: Summary keys that the model allows to be null.
NULLABLE = frozenset({
    "inference_share", "crossover_month", "cost_per_million_tokens", "cost_per_request", "replica_chips",
    "replica_prefill_tokens_per_s", "replica_decode_tokens_per_s", "payback_month", "irr",
    "replica_batch", "tokens_per_s_per_user", "answer_seconds",
})

REL = 1e-9


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def close(a: float, b: float, *scale: float) -> bool:
    """Equal to a relative 1e-9 of the largest magnitude involved."""
    big = max([abs(a), abs(b), *(abs(s) for s in scale), 1e-300])
    return abs(a - b) <= REL * big


def _month_labels(start: str, count: int) -> list[str]:
    year, month = map(int, start.split("-"))
    out = []
    for m in range(count):
        y, mo = divmod(month - 1 + m, 12)
        out.append(f"{year + y:04d}-{mo + 1:02d}")
    return out


def _check_first_month(reported, cum_a: list[float], cum_b: list[float], key: str) -> None:
    """``reported`` is the first month with ``cum_a >= cum_b`` and ``cum_a > 0`` (None if none).

    Months where the two sides (or ``cum_a`` and 0) are equal to rounding may go either way.
    """
    def state(m):
        a, b = cum_a[m], cum_b[m]
        if close(a, b) or close(a, 0.0, b):
            return "tie"
        return a >= b and a > 0

    end = len(cum_a) if reported is None else int(reported)
    assert all(state(m) is not True for m in range(end)), (key, reported, [state(m) for m in range(end)])
    if reported is not None:
        assert state(int(reported)) is not False, (key, reported)


def check_report(report: dict, deployment: str, *, start_month: str | None = None, horizon_years: int | None = None,
                 discount_rate: float | None = None) -> None:
    """Assert that a report has every key and that its figures add up as MODEL.md section 5 says.

    Parameters
    ----------
    report : dict
        A ``tcoapp-report`` document (``build_report`` or ``tcoapp-cli report --json``).
    deployment : {"api", "cloud", "owned"}
        The scenario's ``inference.deployment`` (it decides the cash rule).
    start_month, horizon_years, discount_rate : optional
        When given, also check the month labels and the NPVs.
    """
    assert report["format"] == "tcoapp-report"
    assert report["version"] == 1
    assert isinstance(report["scenario"], str)
    assert isinstance(report["currency"], str) and report["currency"]
    assert set(report) == {"format", "version", "scenario", "currency", "months", "series", "summary", "yearly"}

    months = report["months"]
    M = len(months)
    assert M >= 12 and M % 12 == 0, M
    assert all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label) for label in months), months[:3]
    assert months == _month_labels(months[0], M)
    if start_month is not None:
        assert months[0] == start_month
    if horizon_years is not None:
        assert M == 12 * horizon_years
    H = M // 12

    series, summary, yearly = report["series"], report["summary"], report["yearly"]
    assert set(series) == SERIES_KEYS, set(series) ^ SERIES_KEYS
    assert set(yearly) == SERIES_KEYS, set(yearly) ^ SERIES_KEYS
    assert set(summary) == SUMMARY_KEYS, set(summary) ^ SUMMARY_KEYS
    for name, values in series.items():
        assert len(values) == M and all(map(_is_number, values)), name
    for name, values in yearly.items():
        assert len(values) == H and all(map(_is_number, values)), name
    for key, value in summary.items():
        assert _is_number(value) or (value is None and key in NULLABLE), (key, value)

    s = series
    for m in range(M):
        def eq(a, b, *scale, what):
            assert close(a, b, *scale), f"{what} at month {m}: {a!r} != {b!r}"

        eq(s["training"][m] + s["inference"][m], s["total"][m], s["training"][m], s["inference"][m],
           what="training + inference = total")
        eq(s["training_compute"][m] + s["training_fixed"][m], s["training"][m],
           s["training_compute"][m], s["training_fixed"][m], what="training_compute + training_fixed = training")
        parts = [s[k][m] for k in ("inference_compute", "inference_energy", "inference_facility", "inference_ops")]
        eq(math.fsum(parts), s["inference"][m], *parts, what="the four inference series = inference")
        eq(s["cash_training"][m], s["training"][m], what="cash_training = training")
        if deployment == "owned":
            expected = s["inference"][m] - s["inference_compute"][m] + s["capex"][m]
            eq(s["cash_inference"][m], expected, s["inference"][m], s["inference_compute"][m], s["capex"][m],
               what="cash_inference = inference - inference_compute + capex")
        else:
            eq(s["cash_inference"][m], s["inference"][m], what="cash_inference = inference")
        eq(s["cash_total"][m], s["cash_training"][m] + s["cash_inference"][m], s["cash_training"][m],
           s["cash_inference"][m], what="cash_total = cash_training + cash_inference")
        for name in ("training_compute", "training_fixed", "inference_compute", "inference_energy",
                     "inference_facility", "inference_ops", "requests", "tokens", "chips", "capex",
                     "depreciation", "revenue"):
            assert s[name][m] >= 0, (name, m, s[name][m])
        assert s["chips"][m] == int(s["chips"][m]), ("chips", m)

    def total(name):
        return math.fsum(s[name])

    def scale(name):
        return math.fsum(abs(v) for v in s[name])

    for key, name in (("training_cost", "training"), ("inference_cost", "inference"), ("total_cost", "total"),
                      ("revenue_total", "revenue")):
        assert close(summary[key], total(name), scale(name)), (key, summary[key], total(name))
    assert close(summary["total_cost"], summary["training_cost"] + summary["inference_cost"],
                 summary["training_cost"], summary["inference_cost"])
    assert close(summary["profit"], summary["revenue_total"] - summary["total_cost"],
                 summary["revenue_total"], summary["total_cost"])
    if summary["total_cost"] == 0:
        assert summary["inference_share"] is None
    else:
        assert close(summary["inference_share"], summary["inference_cost"] / summary["total_cost"])
    assert summary["peak_chips"] == max(s["chips"])

    for name, values in yearly.items():
        for y in range(H):
            window = s[name][12 * y:12 * y + 12]
            if name == "chips":
                assert values[y] == max(window), (name, y)
            else:
                assert close(values[y], math.fsum(window), *window), (name, y, values[y], math.fsum(window))

    requests, tokens = total("requests"), total("tokens")
    if requests > 0:
        assert close(summary["cost_per_request"], summary["inference_cost"] / requests), "cost_per_request"
    else:
        assert summary["cost_per_request"] is None
    if tokens > 0:
        assert close(summary["cost_per_million_tokens"], summary["inference_cost"] / (tokens / 1e6)), \
            "cost_per_million_tokens"
    else:
        assert summary["cost_per_million_tokens"] is None

    assert close(summary["npv_total"], summary["npv_training"] + summary["npv_inference"],
                 summary["npv_training"], summary["npv_inference"], scale("cash_total")), "npv_total"
    if discount_rate is not None:
        def npv(values):
            terms = [v * (1 + discount_rate) ** (-m / 12) for m, v in enumerate(values)]
            return math.fsum(terms), math.fsum(abs(t) for t in terms)

        for key, name in (("npv_total", "cash_total"), ("npv_training", "cash_training"),
                          ("npv_inference", "cash_inference")):
            value, size = npv(s[name])
            assert close(summary[key], value, size), (key, summary[key], value)
        value, size = npv([r - c for r, c in zip(s["revenue"], s["cash_total"])])
        assert close(summary["npv_profit"], value, size, scale("revenue"), scale("cash_total")), "npv_profit"

    if deployment == "owned":
        assert close(summary["residual_book_value"], total("capex") - total("depreciation"),
                     scale("capex")), "residual_book_value"
        assert summary["residual_book_value"] >= -REL * scale("capex")
        assert summary["energy_mwh"] >= 0
    else:
        assert summary["residual_book_value"] == 0 and summary["energy_mwh"] == 0
        assert not any(s["capex"]) and not any(s["depreciation"])
    if deployment == "api":
        assert not any(s["chips"]) and not any(s["inference_energy"]) and not any(s["inference_facility"])
        for key in ("replica_chips", "replica_prefill_tokens_per_s", "replica_decode_tokens_per_s",
                    "replica_batch", "tokens_per_s_per_user", "answer_seconds"):
            assert summary[key] is None, key
    else:
        assert summary["replica_chips"] >= 1 and summary["replica_chips"] == int(summary["replica_chips"])
        assert summary["replica_prefill_tokens_per_s"] > 0 and summary["replica_decode_tokens_per_s"] > 0
        if summary["replica_batch"] is not None:   # estimated throughput: B decodes at s / t(B) each
            assert summary["replica_batch"] >= 1 and summary["replica_batch"] == int(summary["replica_batch"])
            assert close(summary["replica_decode_tokens_per_s"],
                         summary["replica_batch"] * summary["tokens_per_s_per_user"])
            assert summary["answer_seconds"] > 0
        if deployment == "cloud":
            assert not any(s["inference_energy"]) and not any(s["inference_facility"])

    cum_inf, cum_tr, cum_rev, cum_cash = [], [], [], []
    for name, out in (("inference", cum_inf), ("training", cum_tr), ("revenue", cum_rev), ("cash_total", cum_cash)):
        running = 0.0
        for v in s[name]:
            running += v
            out.append(running)
    _check_first_month(summary["crossover_month"], cum_inf, cum_tr, "crossover_month")
    _check_first_month(summary["payback_month"], cum_rev, cum_cash, "payback_month")
    for key in ("crossover_month", "payback_month"):
        if summary[key] is not None:
            assert summary[key] == int(summary[key]) and 0 <= summary[key] < M, (key, summary[key])


def only_warnings(stderr: str) -> bool:
    """Whether stderr holds nothing but ``tcoapp-cli: warning: ...`` lines (or nothing at all)."""
    return all(line.startswith("tcoapp-cli: warning: ") for line in stderr.splitlines())
