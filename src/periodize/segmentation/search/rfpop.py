r"""R-FPOP: functional pruning for the biweight loss (Fearnhead & Rigaill 2019), compiled.

As in :mod:`periodize.segmentation.search.fpop`, optimal partitioning keeps
:math:`Q_T(\mu) = \min_\tau F(\tau) + \beta + \sum_{t \in (\tau, T]} \gamma(y_t, \mu)` as
pieces of the :math:`\mu` line, each owned by the candidate last break cheapest there, and
:math:`F(T) = \min_\mu Q_T(\mu)`. The biweight loss :math:`\min((y - \mu)^2, K^2)` is not
convex, so a candidate may own several pieces and each is a quadratic
:math:`a\mu^2 + b\mu + c` (``a`` observations within :math:`K`): each step adds the new
observation's loss to every piece (splitting the pieces that contain
:math:`y \pm K`), takes the minimum with the newly eligible candidate's function (the
constant :math:`F(\tau) + \beta` plus the loss of the ``min_size`` observations since
:math:`\tau`), piece by piece, splitting where two quadratics cross, and drops the
candidates that own nothing (cheapest nowhere now, so nowhere later: all candidates add
the same losses). The optimum is optimal partitioning's on the biweight segment costs
(tested against brute force).

Values are on the noise scale (divided by the robust ``σ``), so ``K`` is 3 and costs are
in noise variances, as :class:`~periodize.segmentation.costs.biweight.BiweightCost`
prices them.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._kernels import frozen
from ..costs.biweight import BiweightCost
from .pelt import backtrack

#: Columns of the piece table: the interval, its owner and the quadratic a mu^2 + b mu + c.
LOW, HIGH, OWNER, A, B, C = range(6)


@numba.njit(cache=True, inline="always")
def _value(a: float, b: float, c: float, mu: float) -> float:
    return (a * mu + b) * mu + c


@numba.njit(cache=True, inline="always")
def _lowest(a: float, b: float, c: float, low: float, high: float) -> float:
    """The minimum of ``a mu^2 + b mu + c`` over ``[low, high]``: ``a`` counts the inliers
    and ``b`` is -2 × their sum, so a piece without inliers is the constant ``c``."""
    if a > 0.0:
        mu = min(max(-b / (2.0 * a), low), high)
        return _value(a, b, c, mu)
    return c


@numba.njit(cache=True, inline="always")
def _push(table: np.ndarray, size: int, row: np.ndarray) -> tuple[np.ndarray, int]:
    """Append ``row`` (merged into the last piece when it continues it: same owner, same
    quadratic), growing the table as needed."""
    if size > 0:
        last = table[size - 1]
        if (
            last[OWNER] == row[OWNER]
            and last[A] == row[A]
            and last[B] == row[B]
            and last[C] == row[C]
            and last[HIGH] == row[LOW]
        ):
            last[HIGH] = row[HIGH]
            return table, size
    if size == table.shape[0]:
        grown = np.empty((2 * table.shape[0], 6))
        grown[:size] = table[:size]
        table = grown
    table[size] = row
    return table, size + 1


@numba.njit(cache=True, inline="always")
def _cut(points: np.ndarray, count: int, at: float, low: float, high: float) -> int:
    """``points[:count]`` (increasing, from ``low``) with ``at`` appended when it lies
    strictly inside ``(low, high)`` and beyond the last; the new count."""
    if low < at < high and at > points[count - 1]:
        points[count] = at
        return count + 1
    return count


@numba.njit(cache=True)
def _add_loss(
    table: np.ndarray, size: int, y: float, bound: float, out: np.ndarray
) -> tuple[np.ndarray, int]:
    """Every piece of ``table`` plus ``min((y - mu)^2, bound^2)``, split at ``y ± bound``,
    written to ``out``."""
    left, right = y - bound, y + bound
    kept = 0
    row = np.empty(6)
    points = np.empty(4)
    for k in range(size):
        low, high = table[k, LOW], table[k, HIGH]
        points[0] = low
        count = _cut(points, _cut(points, 1, left, low, high), right, low, high)
        points[count] = high
        for j in range(count):
            lo, hi = points[j], points[j + 1]
            row[:] = table[k]
            row[LOW], row[HIGH] = lo, hi
            if lo >= left and hi <= right:  # within the band: the loss is quadratic
                row[A] += 1.0
                row[B] -= 2.0 * y
                row[C] += y * y
            else:
                row[C] += bound * bound
            out, kept = _push(out, kept, row)
    return out, kept


@numba.njit(cache=True)
def _probe(low: float, high: float, k: int) -> float:
    """The ``k``-th of three distinct points inside ``(low, high)`` (either end may be
    infinite)."""
    if low == -math.inf and high == math.inf:
        return k - 1.0
    if low == -math.inf:
        return high - 2.0**k
    if high == math.inf:
        return low + 2.0**k
    return low + (high - low) * (k + 1) / 4.0


@numba.njit(cache=True)
def _sign(da: float, db: float, dc: float, low: float, high: float) -> float:
    """The sign of ``da mu^2 + db mu + dc`` on ``(low, high)``, where it has no root: read
    where it is largest of three points (one of them may be a double root, where it only
    touches zero, so one point alone can mislead)."""
    value = 0.0
    for k in range(3):
        d = _value(da, db, dc, _probe(low, high, k))
        if abs(d) > abs(value):
            value = d
    return value


@numba.njit(cache=True)
def _minimum(
    first: np.ndarray, n_first: int, second: np.ndarray, n_second: int, out: np.ndarray
) -> tuple[np.ndarray, int]:
    """The pointwise minimum of two piecewise quadratics (each a partition of the line),
    split where they cross, written to ``out``."""
    i = j = 0
    kept = 0
    low = -math.inf
    row = np.empty(6)
    points = np.empty(4)
    while i < n_first and j < n_second:
        high = min(first[i, HIGH], second[j, HIGH])
        p, q = first[i], second[j]
        da, db, dc = p[A] - q[A], p[B] - q[B], p[C] - q[C]
        points[0] = low
        count = 1
        if da != 0.0:
            disc = db * db - 4.0 * da * dc
            if disc > 0.0:
                root = math.sqrt(disc)
                r1 = (-db - root) / (2.0 * da)
                r2 = (-db + root) / (2.0 * da)
                count = _cut(points, count, min(r1, r2), low, high)
                count = _cut(points, count, max(r1, r2), low, high)
        elif db != 0.0:
            count = _cut(points, count, -dc / db, low, high)
        points[count] = high
        for k in range(count):
            lo, hi = points[k], points[k + 1]
            if not lo < hi:
                continue
            row[:] = p if _sign(da, db, dc, lo, hi) <= 0.0 else q
            row[LOW], row[HIGH] = lo, hi
            out, kept = _push(out, kept, row)
        low = high
        if first[i, HIGH] <= high:
            i += 1
        if second[j, HIGH] <= high:
            j += 1
    return out, kept


@numba.njit(cache=True)
def _rfpop(
    z: np.ndarray, bound: float, penalty: float, min_size: int, last: np.ndarray
) -> tuple[float, int]:
    """Penalised optimum of one series on the noise scale; fills ``last`` (the last break
    before each end). Returns the optimum and the most pieces kept at once."""
    n = z.shape[0]
    best = np.full(n + 1, math.inf)
    best[0] = -penalty
    pieces = np.empty((64, 6))
    spare = np.empty((64, 6))
    fresh = np.empty((16, 6))
    scratch = np.empty((16, 6))
    size = 0
    most = 0
    for end in range(1, n + 1):
        y = z[end - 1]
        if size:
            spare, size = _add_loss(pieces, size, y, bound, spare)
            pieces, spare = spare, pieces
        new = end - min_size  # the candidate that becomes eligible now
        if new == 0 or new >= min_size:
            fresh[0, LOW], fresh[0, HIGH], fresh[0, OWNER] = -math.inf, math.inf, new
            fresh[0, A], fresh[0, B], fresh[0, C] = 0.0, 0.0, best[new]  # β added below
            count = 1
            for t in range(new, end):  # the loss of the observations since its break
                scratch, count = _add_loss(fresh, count, z[t], bound, scratch)
                fresh, scratch = scratch, fresh
            if size:
                spare, size = _minimum(pieces, size, fresh, count, spare)
                pieces, spare = spare, pieces
            else:
                if pieces.shape[0] < count:
                    pieces = np.empty((2 * count, 6))
                pieces[:count] = fresh[:count]
                size = count
        if size == 0:
            continue
        value = math.inf
        where = 0
        for k in range(size):
            f = _lowest(pieces[k, A], pieces[k, B], pieces[k, C], pieces[k, LOW], pieces[k, HIGH])
            if f < value:
                value, where = f, int(pieces[k, OWNER])
        best[end] = value + penalty
        last[end] = where
        most = max(most, size)
    return float(best[n]), most


@numba.njit(cache=True, parallel=True)
def _rfpop_series(
    z: np.ndarray,
    bound: float,
    penalty: np.ndarray,
    min_size: int,
    last: np.ndarray,
    optima: np.ndarray,
    most: np.ndarray,
) -> None:
    for i in numba.prange(z.shape[0]):
        optima[i], most[i] = _rfpop(z[i], bound, penalty[i], min_size, last[i])


def rfpop(
    cost: BiweightCost, penalty: float | np.ndarray, min_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R-FPOP on every series of ``cost``, in parallel over series: the penalised optima
    (noise variances), the last-break tables and the most pieces kept per series.
    ``penalty`` per break, one for all series or one each.

    Examples
    --------
    >>> y = np.r_[np.zeros(20), 40.0, np.zeros(20), np.full(20, 5.0)]
    >>> y = y + np.random.default_rng(1).normal(0, 1.0, y.size)
    >>> rfpop_breaks(BiweightCost(y[None]), 2 * np.log(y.size), 1)  # no period for the 40
    [[41]]
    """
    last = np.zeros((cost.n_series, cost.n_periods + 1), dtype=np.int64)
    optima = np.empty(cost.n_series)
    most = np.empty(cost.n_series, dtype=np.int64)
    per_series = frozen(np.broadcast_to(penalty, (cost.n_series,)))
    _rfpop_series(cost.z, cost.threshold, per_series, int(min_size), last, optima, most)
    return optima, last, most


def rfpop_breaks(
    cost: BiweightCost, penalty: float | np.ndarray, min_size: int
) -> list[list[int]]:
    """The break indices R-FPOP finds for every series of ``cost``."""
    return backtrack(rfpop(cost, penalty, min_size)[1], cost.n_periods)
