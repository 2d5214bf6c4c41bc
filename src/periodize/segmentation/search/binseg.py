r"""Binary segmentation with a penalty per break (Scott & Knott 1974; Vostrikova 1981),
compiled: the first search of the penalty ``"auto"`` on long records.

A segment :math:`[s, e)` is cut at the split :math:`t` that lowers its cost most,
:math:`G = C(s, e) - \min_t \,[C(s, t) + C(t, e)]`, when :math:`G` exceeds the penalty
:math:`\beta`, and both halves are searched the same way; a segment no split improves by
more than :math:`\beta` is kept. The greedy order does not matter (a cut leaves the other
segments' gains as they were), so the breaks are those ruptures' ``Binseg(jump=1)``
finds with ``pen=β`` (tested). Every segment is at least ``min_size`` long.

It is not an exact search: a pair of close breaks (a short burst) can lower the cost by
more than :math:`2\beta` while no single cut gains :math:`\beta`, and then it is missed.
:func:`~periodize.segmentation.api.segment` therefore uses it only to find the periods
within which the noise is measured; the breaks it reports always come from an exact
search. Each level of the recursion scans every period once (a few nanoseconds per
period for the normal mean, whose gain is read from a table of :math:`1/m`), so on
:math:`10^5` points with a hundred breaks it takes a fraction of an FPOP run.
"""

from __future__ import annotations

import numba
import numpy as np

from ..costs.base import Cost
from ..costs.compiled import (
    _NORMAL,
    _POISSON,
    kernel_inputs,
    lookup_tables,
    per_series_exposure,
    segment_cost,
    table_code,
)


@numba.njit(cache=True, inline="always")
def _cost(
    code: int,
    c1: np.ndarray,
    c2: np.ndarray,
    ce: np.ndarray,
    s: int,
    e: int,
    xlogx: np.ndarray,
    logm: np.ndarray,
) -> float:
    """The cost of ``[s, e)`` from prefix sums, before division by the dispersion."""
    return segment_cost(
        code, c1[e] - c1[s], c2[e] - c2[s], 0.0, ce[e] - ce[s], float(e - s), 1.0, xlogx, logm
    )


@numba.njit(cache=True)
def _binseg(
    code: int,
    y: np.ndarray,
    exposure: np.ndarray,
    threshold: float,
    min_size: int,
    xlogx: np.ndarray,
    logm: np.ndarray,
    out: np.ndarray,
) -> int:
    """The breaks of one series into ``out`` (sorted); returns how many. ``threshold`` is
    the penalty in the cost's raw units (times the dispersion)."""
    n = y.shape[0]
    c1, c2, ce = np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1)
    inverse = np.zeros(n + 1)  # 1/m, for the normal mean's gains
    exposed = exposure.shape[0] > 0
    for t in range(n):
        c1[t + 1] = c1[t] + y[t]
        c2[t + 1] = c2[t] + y[t] * y[t]
        ce[t + 1] = ce[t] + (exposure[t] if exposed else 1.0)
        inverse[t + 1] = 1.0 / (t + 1)
    starts = np.empty(n // min_size + 2, dtype=np.int64)
    ends = np.empty_like(starts)
    starts[0], ends[0] = 0, n
    top, count = 1, 0
    while top > 0:
        top -= 1
        s, e = starts[top], ends[top]
        if e - s < 2 * min_size:
            continue
        arg = -1
        if code == _NORMAL:  # RSS = S2 - S1²/m: the best split has the largest sum of S1²/m
            total = c1[e] - c1[s]
            best = total * total * inverse[e - s]
            gain = -np.inf
            for t in range(s + min_size, e - min_size + 1):
                left = c1[t] - c1[s]
                right = total - left
                value = left * left * inverse[t - s] + right * right * inverse[e - t]
                if value > gain:
                    gain, arg = value, t
            gain -= best
        else:
            lowest = np.inf
            for t in range(s + min_size, e - min_size + 1):
                value = _cost(code, c1, c2, ce, s, t, xlogx, logm) + _cost(
                    code, c1, c2, ce, t, e, xlogx, logm
                )
                if value < lowest:
                    lowest, arg = value, t
            gain = _cost(code, c1, c2, ce, s, e, xlogx, logm) - lowest
        if gain > threshold:
            out[count] = arg
            count += 1
            starts[top], ends[top] = s, arg
            starts[top + 1], ends[top + 1] = arg, e
            top += 2
    out[:count].sort()
    return count


@numba.njit(cache=True, parallel=True)
def _binseg_series(
    code: int,
    values: np.ndarray,
    exposure: np.ndarray,
    thresholds: np.ndarray,
    min_size: int,
    xlogx: np.ndarray,
    logm: np.ndarray,
    breaks: np.ndarray,
    counts: np.ndarray,
) -> None:
    """:func:`_binseg` on every row, in parallel over rows."""
    for i in numba.prange(values.shape[0]):
        counts[i] = _binseg(
            code, values[i], exposure[i], thresholds[i], min_size, xlogx, logm, breaks[i]
        )


def binseg_breaks(cost: Cost, penalty: float, min_size: int) -> list[list[int]] | None:
    """Binary segmentation of every series of ``cost`` with ``penalty`` per break (in the
    cost's units, as the exact searches take it): the break indices of each series, or
    ``None`` for a cost other than the one-parameter means whose constant is a dispersion
    (``normal``, ``poisson``, ``quasipoisson``).

    Examples
    --------
    >>> from periodize.segmentation.costs import COSTS
    >>> y = np.r_[np.zeros(40), np.full(30, 6.0), np.zeros(30)] + np.tile([0.5, -0.5], 50)
    >>> binseg_breaks(COSTS["normal"](y[None]), 10.0, 3)
    [[40, 70]]
    """
    inputs = kernel_inputs(cost)
    if inputs is None or inputs[0] not in (_NORMAL, _POISSON):
        return None
    code, values, exposure, params = inputs
    xlogx, logm = lookup_tables(code, values, exposure)
    code = table_code(code, xlogx)
    n_series, n = values.shape
    breaks = np.zeros((n_series, n // min_size + 1), dtype=np.int64)
    counts = np.zeros(n_series, dtype=np.int64)
    _binseg_series(
        code,
        values,
        per_series_exposure(exposure, n_series),
        float(penalty) * params,
        min_size,
        xlogx,
        logm,
        breaks,
        counts,
    )
    return [row[:k].tolist() for row, k in zip(breaks, counts, strict=True)]
