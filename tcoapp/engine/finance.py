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
    # exp(log1p) is the same number as the power, several times faster on big batches
    return np.exp(np.log1p(rate) * (-np.arange(months) / 12.0))


def npv(cash, annual_rate) -> np.ndarray:
    """Net present value ``sum_m x(m) * (1 + r) ** (-m / 12)`` of monthly flows.

    >>> npv(np.array([[100.0] * 13]), np.array([0.0]))
    array([1300.])
    """
    cash = np.asarray(cash, dtype=float)
    return np.sum(cash * discount_factors(annual_rate, cash.shape[1]), axis=1)


def irr_defined(net) -> np.ndarray:
    """Whether the IRR of monthly net flows is defined (methodology section 5).

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


def _polynomial(coefficients: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f(x) = sum_m c[m] x**m`` and ``f'(x)``, one x per row.

    Few rows: one array of powers. Many rows: Horner's rule, a cheap
    multiply-add per month instead of a power per month and row.
    """
    if coefficients.shape[0] <= 64:
        m = np.arange(coefficients.shape[1], dtype=float)
        powers = x[:, None] ** m
        return (np.sum(coefficients * powers, axis=1),
                np.sum(coefficients[:, 1:] * m[1:] * powers[:, :-1], axis=1))
    f = coefficients[:, -1].copy()
    fp = np.zeros_like(f)
    for k in range(coefficients.shape[1] - 2, -1, -1):
        fp = fp * x + f
        f = f * x + coefficients[:, k]
    return f, fp


#: Monthly rates whose discount factors bracket an IRR before refining it.
_BRACKET_RATES = np.array([0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0, 10.0, 100.0,
                           1e4])


def irr_annual(net, *, max_iter: int = 200) -> np.ndarray:
    """Annual IRR ``(1 + i) ** 12 - 1`` of monthly net flows; NaN where undefined.

    Solves ``sum_m net(m) * x ** m = 0`` for ``x = 1 / (1 + i)`` in ``(0, 1)``
    for all scenarios at once: a fixed grid of rates brackets the single root
    (leading zero months divided out, so ``f(0) < 0 < f(1)``), then Newton
    steps refine it, with bisection whenever a step would leave the bracket.

    >>> round(float(irr_annual(np.array([[-100.0] + [0.0] * 11 + [121.0]]))[0]), 12)
    0.21
    >>> round(float(irr_annual(np.array([[0.0, 0.0, -100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ...                                   0.0, 0.0, 121.0]]))[0]), 12)
    0.21
    """
    net = np.asarray(net, dtype=float)
    S, M = net.shape
    out = np.full(S, np.nan)
    ok = irr_defined(net)
    if not ok.any():
        return out
    flows = net[ok]
    first = np.argmax(flows != 0, axis=1)
    shifted = np.arange(M)[None, :] + first[:, None]
    a = np.where(shifted < M, np.take_along_axis(flows, np.minimum(shifted, M - 1), axis=1), 0.0)
    n = a.shape[0]
    # bracket the single root on a fixed grid of monthly rates in one matrix product
    grid = 1.0 / (1.0 + _BRACKET_RATES)  # decreasing from x = 1
    with np.errstate(under="ignore"):
        f_grid = a @ (grid[:, None] ** np.arange(M)).T  # (n, K)
    f_grid[:, 0] = a.sum(axis=1)  # f(1) > 0
    below = f_grid < 0
    k_lo = np.where(below.any(axis=1), np.argmax(below, axis=1), len(grid))
    lo = np.where(k_lo < len(grid), grid[np.minimum(k_lo, len(grid) - 1)], 0.0)
    f_lo = np.where(k_lo < len(grid), f_grid[np.arange(n), np.minimum(k_lo, len(grid) - 1)], a[:, 0])
    hi = grid[k_lo - 1]
    f_hi = f_grid[np.arange(n), k_lo - 1]
    x = hi - f_hi * (hi - lo) / (f_hi - f_lo)  # start at the secant point of the bracket
    active = np.arange(n)
    eps4 = 4 * np.finfo(float).eps
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        for _ in range(max_iter):
            if active.size == 0:
                break
            xa = x[active]
            f, fp = _polynomial(a[active], xa)
            # keep the bracket; take the Newton step inside it, else bisect
            l = np.where(f < 0, xa, lo[active])
            h = np.where(f > 0, xa, hi[active])
            newton = xa - f / fp
            converged = (f == 0) | (np.abs(newton - xa) <= eps4 * xa)
            nxt = np.where(converged, xa, np.where((newton > l) & (newton < h), newton, 0.5 * (l + h)))
            done = converged | (h - l <= eps4 * h)
            lo[active], hi[active], x[active] = l, h, nxt
            active = active[~done]
        out[ok] = np.expm1(-12.0 * np.log(x))
    return out
