r"""Exact penalised search for level shifts under a drifting level and AR(1) noise
(the model of DeCAFS; Romano, Rigaill, Runge & Fearnhead 2022, *JASA* 117), compiled.

The series is :math:`y_t = \mu_t + \epsilon_t` with AR(1) noise
:math:`\epsilon_t = \phi\epsilon_{t-1} + \nu_t`, :math:`\nu_t \sim N(0, \sigma_\nu^2)`,
and a level that drifts as a random walk, :math:`\mu_t = \mu_{t-1} + \eta_t`,
:math:`\eta_t \sim N(0, \sigma_\eta^2)`, except at a change point, where it jumps freely.
In units of :math:`\sigma_\nu^2`, with :math:`\lambda = \sigma_\nu^2/\sigma_\eta^2`
(infinite: no drift), the search minimises over the levels and the change points

.. math::

    (1 - \phi^2)(y_1 - \mu_1)^2
    + \sum_{t \ge 2} \bigl[(y_t - \mu_t) - \phi (y_{t-1} - \mu_{t-1})\bigr]^2
    + \sum_{t \ge 2,\ t \notin \tau} \lambda (\mu_t - \mu_{t-1})^2 + \beta\,|\tau|,

twice the negative log-likelihood of the innovations (the first with its stationary
variance) plus :math:`\beta` per change, every segment at least ``min_size`` long.

**The recursion.** :math:`Q_t(\mu)`, the least cost of :math:`y_1..y_t` with
:math:`\mu_t = \mu`, is the minimum of one quadratic per *history* (a sequence of
change-or-not decisions), each kept as its curvature :math:`a`, vertex :math:`m` and
value :math:`v`. A step gives every history two children, obtained by minimising over
the previous level :math:`u` (with :math:`\tilde r = y_t - \phi y_{t-1} - (1-\phi) m`):

- *no change*: :math:`a' = N/(a + \lambda + \phi^2)`, :math:`m' = m + \tilde r\,(\lambda(1 -
  \phi) + a)/N`, :math:`v' = v + \tilde r^2 a\lambda/N`, with :math:`N = \lambda(a +
  (1-\phi)^2) + a` (for :math:`\lambda = \infty` the limits);
- *a change at t* (the segment so far at least ``min_size`` long): :math:`a' = a/(a +
  \phi^2)`, :math:`m' = y_t - \phi y_{t-1} + \phi m`, :math:`v' = v + \beta`.

These forms have no cancellation (each is a ratio of positive sums), so the levels of a
series far from zero keep their precision.

**Pruning, exact.** The step is the same monotone map for every history and it
distributes over a minimum, so :math:`Q_{t+1}` depends on :math:`Q_t` as a function only:
a history that is nowhere below the others cannot become the best. With ``min_size`` a
history may still be unable to change for a while, so it is compared only with histories
whose segment began no later (they can do all it can): it is kept only where it is on the
lower envelope of those. An envelope of quadratics is found by a sweep from
:math:`-\infty`, moving to whichever quadratic drops below the current one first.
On independent noise without drift (:math:`\phi = 0`, :math:`\lambda = \infty`) this is
FPOP for the normal mean (tested equal), and the optimum equals a brute-force search over
every set of change points with the levels fitted by least squares (tested).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._kernels import frozen
from .pelt import backtrack

#: Columns of a history: curvature, vertex, value, first period of its segment, node.
_A, _M, _V, _START, _NODE = range(5)


@numba.njit(cache=True, inline="always")
def _value(h: np.ndarray, i: int, x: float) -> float:
    d = x - h[i, _M]
    return h[i, _A] * d * d + h[i, _V]


@numba.njit(cache=True, inline="always")
def _probe(low: float, high: float, near: float) -> float:
    """A point inside ``(low, high)`` (either end may be infinite)."""
    if low == -math.inf and high == math.inf:
        return near
    if low == -math.inf:
        return high - 1.0 - abs(high)
    if high == math.inf:
        return low + 1.0 + abs(low)
    return 0.5 * (low + high)


@numba.njit(cache=True)
def _merge(
    h: np.ndarray,
    lows: np.ndarray,
    owners: np.ndarray,
    first: int,
    middle: int,
    last: int,
    out_lows: np.ndarray,
    out_owners: np.ndarray,
    at: int,
) -> int:
    """The lower envelope of two envelopes, pieces ``[first, middle)`` and ``[middle,
    last)`` (each piece from its ``lows`` to the next one's, the last to +inf), written
    from ``at``; returns the end of what was written (-1: no room left)."""
    i, j, start = first, middle, at
    x = -math.inf
    while True:
        next_i = lows[i + 1] if i + 1 < middle else math.inf
        next_j = lows[j + 1] if j + 1 < last else math.inf
        end = min(next_i, next_j)
        a, b = owners[i], owners[j]
        # the crossings of the two quadratics inside (x, end): at most two
        d = h[b, _M] - h[a, _M]
        da = h[b, _A] - h[a, _A]
        lin = -2.0 * h[b, _A] * d
        const = h[b, _A] * d * d + h[b, _V] - h[a, _V]
        k, c1, c2 = 1, math.inf, math.inf  # k - 1 crossings, c1 <= c2
        if da == 0.0:
            if lin != 0.0:
                c1, k = h[a, _M] - const / lin, 2
        else:
            disc = lin * lin - 4.0 * da * const
            if disc > 0.0:
                q = -0.5 * (lin + math.copysign(math.sqrt(disc), lin))
                r1 = h[a, _M] + q / da
                r2 = h[a, _M] + (const / q if q != 0.0 else q / da)
                c1, c2, k = min(r1, r2), max(r1, r2), 3
        low = x
        for c in range(1, k + 1):
            cut = c1 if c == 1 else c2
            high = end if c == k else min(max(cut, x), end)
            if high > low:
                probe = _probe(low, high, h[a, _M])
                owner = a if _value(h, a, probe) <= _value(h, b, probe) else b
                if at == start or out_owners[at - 1] != owner:
                    if at == out_lows.shape[0]:
                        return -1  # more pieces than room (rounding slivers)
                    out_lows[at], out_owners[at] = low, owner
                    at += 1
                low = high
        if end == math.inf:
            return at
        x = end
        if next_i == end:
            i += 1
        if next_j == end:
            j += 1


@numba.njit(cache=True)
def _envelope(h: np.ndarray, members: np.ndarray, count: int, on: np.ndarray) -> None:
    """Mark in ``on`` the rows of ``h`` listed in ``members[:count]`` that own a piece of
    their lower envelope: envelopes merged pairwise, O(count log count) pieces (an
    envelope of n quadratics has at most 2n - 1). Should rounding ever leave more pieces
    than there is room for, every member is kept: keeping a history never loses the
    optimum."""
    size = 8 * count + 8
    lows, owners = np.empty(size), np.empty(size, dtype=np.int64)
    out_lows, out_owners = np.empty(size), np.empty(size, dtype=np.int64)
    bounds = np.empty(count + 1, dtype=np.int64)
    for e in range(count):
        lows[e], owners[e], bounds[e] = -math.inf, members[e], e
    bounds[count] = count
    groups = count
    while groups > 1:
        at = 0
        merged = 0
        for g in range(0, groups, 2):
            begin = at
            if g + 1 < groups:
                at = _merge(
                    h, lows, owners, bounds[g], bounds[g + 1], bounds[g + 2],
                    out_lows, out_owners, at,
                )  # fmt: skip
                if at < 0:
                    for m in range(count):
                        on[members[m]] = True
                    return
            else:
                for p in range(bounds[g], bounds[g + 1]):
                    out_lows[at], out_owners[at] = lows[p], owners[p]
                    at += 1
            bounds[merged] = begin
            merged += 1
        bounds[merged] = at
        groups = merged
        lows, out_lows = out_lows, lows
        owners, out_owners = out_owners, owners
    for p in range(bounds[0], bounds[1]):
        on[owners[p]] = True


@numba.njit(cache=True)
def _drift(
    y: np.ndarray, phi: float, lam: float, beta: float, min_size: int, jumps: np.ndarray
) -> tuple[float, int]:
    """Penalised optimum of one series (in noise units, ``lam`` = σν²/ση², ``inf``: no
    drift); marks the change points in ``jumps``. Returns the optimum and the most
    histories kept at once."""
    n = y.shape[0]
    cap = 64
    h = np.empty((cap, 5))
    kids = np.empty((2 * cap, 5))
    parent = np.empty(4 * n + 64, dtype=np.int64)
    jumped = np.zeros(4 * n + 64, dtype=np.bool_)
    start0 = 1.0 - phi * phi
    h[0, _A], h[0, _M], h[0, _V], h[0, _START], h[0, _NODE] = start0, y[0], 0.0, 0.0, 0.0
    parent[0] = -1
    nodes, size, most, offset = 1, 1, 1, 0.0
    a_drift = 1.0 - phi
    for t in range(1, n):
        if 2 * size > kids.shape[0]:
            kids = np.empty((4 * size, 5))
        r = y[t] - phi * y[t - 1]
        k = 0
        best_jump = -1
        for i in range(size):  # no change
            a, m, v = h[i, _A], h[i, _M], h[i, _V]
            rt = r - a_drift * m
            if lam == math.inf:
                big = a + a_drift * a_drift
                kids[k, _A] = big
                kids[k, _M] = m + rt * a_drift / big
                kids[k, _V] = v + rt * rt * a / big
            else:
                big = lam * (a + a_drift * a_drift) + a
                kids[k, _A] = big / (a + lam + phi * phi)
                kids[k, _M] = m + rt * (lam * a_drift + a) / big
                kids[k, _V] = v + rt * rt * a * lam / big
            kids[k, _START], kids[k, _NODE] = h[i, _START], h[i, _NODE]
            k += 1
        for i in range(size):  # a change at t
            if t - h[i, _START] < min_size:
                continue
            a, m = h[i, _A], h[i, _M]
            kids[k, _A] = a / (a + phi * phi)
            kids[k, _M] = r + phi * m
            kids[k, _V] = h[i, _V] + beta
            kids[k, _START], kids[k, _NODE] = t, -1.0 - h[i, _NODE]  # marks a change
            if phi == 0.0 and best_jump >= 0:  # the change children differ in value only:
                if kids[k, _V] < kids[best_jump, _V]:  # the least stands for all
                    kids[best_jump] = kids[k]
                continue
            best_jump = k
            k += 1
        # keep a child where it is on the envelope of those whose segment began no later
        mature = t + 1 - min_size
        key = np.where(kids[:k, _START] <= mature, -1.0, kids[:k, _START])
        order = np.argsort(key, kind="mergesort")
        on = np.zeros(k, dtype=np.bool_)
        keep = np.zeros(k, dtype=np.bool_)
        pool = np.empty(k, dtype=np.int64)  # the envelope's owners so far, then a group
        owners = 0
        j = 0
        while j < k:
            stop = j
            while stop < k and key[order[stop]] == key[order[j]]:
                stop += 1
            count = owners + stop - j
            pool[owners:count] = order[j:stop]
            for q in range(count):
                on[pool[q]] = False
            _envelope(kids, pool, count, on)  # (the envelope of all so far is that of its
            for q in range(j, stop):  # owners and this group)
                keep[order[q]] = on[order[q]]
            owners = 0
            for q in range(count):
                if on[pool[q]]:
                    pool[owners] = pool[q]
                    owners += 1
            j = stop
        if k > h.shape[0]:
            h = np.empty((2 * k, 5))
        size = 0
        low = math.inf
        for i in range(k):
            if keep[i]:
                h[size] = kids[i]
                low = min(low, kids[i, _V])
                size += 1
        if nodes + size > parent.shape[0]:
            grown = np.empty(2 * (nodes + size), dtype=np.int64)
            grown[:nodes] = parent[:nodes]
            more = np.zeros(2 * (nodes + size), dtype=np.bool_)
            more[:nodes] = jumped[:nodes]
            parent, jumped = grown, more
        for i in range(size):
            code = int(h[i, _NODE])
            jumped[nodes] = code < 0
            parent[nodes] = -1 - code if code < 0 else code
            h[i, _NODE] = nodes
            h[i, _V] -= low
            nodes += 1
        offset += low
        most = max(most, size)
    best, at = math.inf, -1
    for i in range(size):
        if n - h[i, _START] >= min_size and h[i, _V] < best:
            best, at = h[i, _V], i
    node = int(h[at, _NODE])
    for t in range(n - 1, 0, -1):
        jumps[t] = jumped[node]
        node = parent[node]
    return best + offset, most


@numba.njit(cache=True, parallel=True)
def _drift_series(
    values: np.ndarray,
    phi: np.ndarray,
    lam: np.ndarray,
    beta: np.ndarray,
    min_size: int,
    jumps: np.ndarray,
    optima: np.ndarray,
    most: np.ndarray,
) -> None:
    """:func:`_drift` on every row, in parallel over rows."""
    for i in numba.prange(values.shape[0]):
        optima[i], most[i] = _drift(values[i], phi[i], lam[i], beta[i], min_size, jumps[i])


def drift_search(
    values: np.ndarray,
    sd_noise: np.ndarray,
    phi: np.ndarray,
    sd_drift: np.ndarray,
    penalty: float | np.ndarray,
    min_size: int = 1,
) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """The exact penalised change points of every row of ``values`` (series × periods)
    under AR(1) noise (innovation sd ``sd_noise``, correlation ``phi``) and a random-walk
    drift of the level (step sd ``sd_drift``; 0: none).

    Parameters
    ----------
    values : ndarray
        Series × periods, finite.
    sd_noise, phi, sd_drift : ndarray
        Per series: the noise's innovation sd (> 0), its lag-one correlation (in
        (-1, 1)) and the drift's step sd (>= 0).
    penalty : float or ndarray
        Penalty per change, in units of the innovation variance.
    min_size : int
        Fewest periods of a segment.

    Returns
    -------
    breaks : list of lists
        Per series, the first period of every new segment.
    optima : ndarray
        The penalised optimum per series, in units of the innovation variance.
    kept : ndarray
        The most histories kept at once per series.

    Examples
    --------
    >>> y = np.r_[np.zeros(30), np.full(30, 4.0)] + np.tile([0.3, -0.3], 30)
    >>> breaks, optima, kept = drift_search(y[None], np.ones(1), np.zeros(1), np.zeros(1), 10.0)
    >>> breaks
    [[30]]
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n_series, n = values.shape
    if not 1 <= min_size <= n:
        raise ValueError(f"min_size must be between 1 and the {n} periods; got {min_size}")
    sd_noise, phi, sd_drift = (
        np.broadcast_to(np.asarray(x, dtype=float), (n_series,)) for x in (sd_noise, phi, sd_drift)
    )
    with np.errstate(divide="ignore"):
        lam = np.where(sd_drift > 0, (sd_noise / np.where(sd_drift > 0, sd_drift, 1.0)) ** 2,
                       np.inf)  # fmt: skip
    beta = np.broadcast_to(np.asarray(penalty, dtype=float), (n_series,)).copy()
    jumps = np.zeros((n_series, n), dtype=np.bool_)
    optima, most = np.empty(n_series), np.zeros(n_series, dtype=np.int64)
    centred = values - np.median(values, axis=1, keepdims=True)  # no precision lost to an
    _drift_series(  # offset (the levels absorb it)
        frozen(centred / sd_noise[:, None]),
        frozen(phi),
        frozen(lam),
        beta,
        int(min_size),
        jumps,
        optima,
        most,
    )
    breaks = [np.flatnonzero(row).tolist() for row in jumps]
    return breaks, optima, most


@numba.njit(cache=True, parallel=True)
def _partition(
    tables: np.ndarray, penalty: float, min_size: int, last: np.ndarray, optima: np.ndarray
) -> None:
    """Optimal partitioning of every group on its summed segment costs (``tables[g, s,
    e]``); fills the last break before every end."""
    n = tables.shape[1] - 1
    for g in numba.prange(tables.shape[0]):
        best = np.full(n + 1, np.inf)
        best[0] = -penalty
        for end in range(min_size, n + 1):
            for start in range(0, end - min_size + 1):  # best: inf where no segmentation
                total = best[start] + penalty + tables[g, start, end]
                if total < best[end]:
                    best[end], last[g, end] = total, start
        optima[g] = best[n]


def joint_drift_search(
    tables: np.ndarray, penalty: float, min_size: int = 1
) -> tuple[list[list[int]], np.ndarray]:
    """The exact penalised change points shared by the series of every group, each with
    its own drifting level and independent noise, from the groups' summed segment costs
    (``(n_groups, n + 1, n + 1)``, :func:`periodize.segmentation.costs.drift.segment_costs`
    summed over a group's members): optimal partitioning, O(n²) per group.

    Examples
    --------
    >>> y = np.r_[np.zeros(20), np.full(20, 4.0)] + np.tile([0.3, -0.3], 20)
    >>> s1 = np.r_[0, np.cumsum(y)]
    >>> s2 = np.r_[0, np.cumsum(y * y)]
    >>> start, end = np.indices((41, 41))
    >>> with np.errstate(divide="ignore", invalid="ignore"):
    ...     table = np.where(end > start, s2[end] - s2[start] - (s1[end] - s1[start]) ** 2
    ...                      / np.maximum(end - start, 1), np.inf)
    >>> joint_drift_search(table[None], 10.0)[0]
    [[20]]
    """
    n_groups, n = tables.shape[0], tables.shape[1] - 1
    last = np.zeros((n_groups, n + 1), dtype=np.int64)
    optima = np.empty(n_groups)
    _partition(np.ascontiguousarray(tables), float(penalty), int(min_size), last, optima)
    return backtrack(last, n), optima
