"""Discounting and internal rate of return over a leading scenario axis.

Every function takes cash-flow arrays of shape ``(S, M)`` (S scenarios, M months)
and returns one value per scenario.
"""

from __future__ import annotations

import numpy as np


def discount_factors(annual_rate, months: int) -> np.ndarray:
    """Monthly discount factors ``(1 + r) ** (-m / 12)``, shape ``(S, M)``.

    >>> discount_factors(np.array([0.21]), 13)[0, [0, 12]].round(6).tolist()
    [1.0, 0.826446]
    """
    rate = np.asarray(annual_rate, dtype=float).reshape(-1, 1)
    return (1.0 + rate) ** (-np.arange(months) / 12.0)


def npv(cash, annual_rate) -> np.ndarray:
    """Net present value ``sum_m x(m) * (1 + r) ** (-m / 12)`` of monthly flows.

    >>> npv(np.array([[100.0] * 13]), np.array([0.0]))
    array([1300.])
    """
    cash = np.asarray(cash, dtype=float)
    return np.sum(cash * discount_factors(annual_rate, cash.shape[1]), axis=1)


def irr_defined(net) -> np.ndarray:
    """Whether the IRR of monthly net flows is defined (MODEL.md section 5).

    It is when the cumulative net cash flow, zeros dropped, starts negative and
    changes sign exactly once; the discounted sum then has exactly one root with
    a positive rate (Norstrom's criterion).

    >>> irr_defined(np.array([[-100.0, 0, 60, 60], [-100, 200, -150, 100], [0, 0, 0, 0]])).tolist()
    [True, False, False]
    """
    cum = np.cumsum(np.asarray(net, dtype=float), axis=1)
    sign = np.sign(cum)
    nonzero = sign != 0
    cols = np.arange(sign.shape[1])
    # carry the last non-zero sign over zeros, so a zero never counts as a change
    last = np.maximum.accumulate(np.where(nonzero, cols, 0), axis=1)
    filled = np.take_along_axis(sign, last, axis=1)
    changes = np.count_nonzero(
        (filled[:, 1:] != filled[:, :-1]) & (filled[:, :-1] != 0), axis=1
    )
    first = np.take_along_axis(sign, np.argmax(nonzero, axis=1)[:, None], axis=1)[:, 0]
    return nonzero.any(axis=1) & (first < 0) & (changes == 1)


def irr_annual(net, *, max_iter: int = 200) -> np.ndarray:
    """Annual IRR ``(1 + i) ** 12 - 1`` of monthly net flows; NaN where undefined.

    Solves ``sum_m net(m) * x ** m = 0`` for ``x = 1 / (1 + i)`` in ``(0, 1)``
    by Newton steps kept inside a shrinking bracket (bisection when a step
    leaves it), for all scenarios at once.

    >>> round(float(irr_annual(np.array([[-100.0] + [0.0] * 11 + [121.0]]))[0]), 12)
    0.21
    """
    net = np.asarray(net, dtype=float)
    S, M = net.shape
    out = np.full(S, np.nan)
    ok = irr_defined(net)
    if not ok.any():
        return out
    a = net[ok]
    m = np.arange(M, dtype=float)
    lo = np.zeros(a.shape[0])  # f(x) < 0 just above 0
    hi = np.ones(a.shape[0])  # f(1) = sum of net > 0
    x = np.full(a.shape[0], 0.5)
    active = np.ones(a.shape[0], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            if not active.any():
                break
            xa = x[active]
            powers = xa[:, None] ** m
            f = np.sum(a[active] * powers, axis=1)
            fp = np.sum(a[active, 1:] * m[1:] * powers[:, :-1], axis=1)
            lo_a = np.where(f < 0, xa, lo[active])
            hi_a = np.where(f > 0, xa, hi[active])
            newton = xa - f / fp
            inside = np.isfinite(newton) & (newton > lo_a) & (newton < hi_a)
            nxt = np.where(inside, newton, 0.5 * (lo_a + hi_a))
            done = (f == 0) | (np.abs(nxt - xa) <= 4 * np.finfo(float).eps * xa) | (hi_a - lo_a <= 4 * np.finfo(float).eps * hi_a)
            nxt = np.where(f == 0, xa, nxt)
            lo[active], hi[active], x[active] = lo_a, hi_a, nxt
            idx = np.flatnonzero(active)
            active[idx[done]] = False
        out[ok] = np.expm1(-12.0 * np.log(x))
    return out
