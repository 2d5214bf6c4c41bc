"""The segment-cost formulas of the built-in costs as compiled scalar code, shared by the
compiled searches and by :meth:`Cost.total_cost`.

Each formula is the one of its cost module, from a segment's sums (``S1 = Σy``,
``S2 = Σy²``, ``E = ΣE_t`` or the length ``m``) and one constant per series:

- ``poisson``/``quasipoisson``: ``-2 (S log(S/E) - S) / φ`` (for integer counts without
  exposure ``S log S`` and ``log m`` are looked up in tables built once per call, so no
  logarithm is taken per segment);
- ``normal``: ``(S2 - S1²/m) / σ²`` (the residual sum of squares, floored at 0);
- ``normal_trend``: ``(S2 - S1²/m - Suy²/Suu) / σ²`` with ``S3 = Σ (t - s) y`` over the
  segment ``[s, e)``, ``Suy = S3 - S1 (m - 1)/2`` and ``Suu = m (m² - 1)/12`` (the
  residual sum of squares of the segment's line);
- ``poisson_trend``/``quasipoisson_trend``: ``-2 (S log S - S + S h(b̂)) / φ`` with the
  growth ``b̂`` solved from ``T/S = S3/S1`` by safeguarded Newton in scalar code
  (:mod:`periodize.segmentation.costs.poisson_trend`);
- ``normal_meanvar``: ``m log max(RSS/m, floor)``;
- ``negbin``: ``-2 [S log μ - (S + m/α) log(1 + αμ)]`` with ``μ = S/m`` (Poisson when
  ``α = 0``); with an exposure its rate is fitted per segment
  (:mod:`periodize.segmentation.costs.negbin_offset`) and no formula here applies.

Scalar code can differ from the numpy formulas in the last bit.
"""

from __future__ import annotations

import math
from typing import Protocol

import numba
import numpy as np

from ..._kernels import frozen


class PricedCost(Protocol):
    """What the kernels read of a cost (:class:`.base.Cost`, which imports this module,
    has it all): its model name, values, exposure and number of series."""

    values: np.ndarray
    exposure: np.ndarray | None
    n_series: int

    @property
    def name(self) -> str: ...


_POISSON, _NORMAL, _MEANVAR, _NEGBIN, _POISSON_TABLE, _TREND, _POISSON_TREND = 0, 1, 2, 3, 4, 5, 6
#: Largest segment total for which ``S log S`` is looked up rather than computed.
TABLE_LIMIT = 2**22
#: Newton steps (each safeguarded by bisection) for the growth of a count trend's segment,
#: and the largest |growth| searched, log-rate per period (beyond it the fit is at its
#: limit): :mod:`periodize.segmentation.costs.poisson_trend`.
GROWTH_STEPS, GROWTH_LIMIT = 60, 60.0


def kernel_inputs(cost: PricedCost) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """Model code, values (series × periods, as the cost sees them), exposure (empty
    without one) and the per-series constant of a cost, or ``None`` for a cost the kernel
    does not know."""
    name = cost.name
    exposure = np.zeros((0, 0)) if cost.exposure is None else cost.exposure
    constants = {
        "poisson": (_POISSON, "scale"),
        "quasipoisson": (_POISSON, "scale"),
        "normal": (_NORMAL, "sigma2"),
        "normal_meanvar": (_MEANVAR, "floor"),
        "normal_trend": (_TREND, "sigma2"),
        "negbin": (_NEGBIN, "alpha"),
        "poisson_trend": (_POISSON_TREND, "dispersion"),
        "quasipoisson_trend": (_POISSON_TREND, "dispersion"),
    }
    if name not in constants or (
        name == "negbin" and cost.exposure is not None
    ):  # fitted per segment
        return None
    code, attribute = constants[name]
    return code, frozen(cost.values), frozen(exposure), frozen(getattr(cost, attribute))


def per_series_exposure(exposure: np.ndarray, n_series: int) -> np.ndarray:
    """``exposure`` as the kernels that run in parallel over series index it: a row per
    series, of length 0 where there is no exposure (:func:`kernel_inputs` gives ``(0, 0)``
    then)."""
    return exposure if exposure.shape[0] else frozen(np.zeros((n_series, 0)))


def _tilted_py(x: float, m: float) -> tuple[float, float, float]:
    """Scalar :func:`~periodize.segmentation.costs.poisson_trend.tilted` for positions
    ``0..m-1`` weighted by ``e^{xu}``: the mean position, its variance and ``G(-|x|) =
    (1 - q^m)/(1 - q)`` with ``q = e^{-|x|}``, from which ``log G(x) = log G(-|x|) + (m - 1)
    max(x, 0)`` (the logarithm is left to the caller: Newton's steps need the moments alone,
    and a logarithm per step was a third of a segment's time). The moments are computed at
    ``-|x|`` (the mean ``q/(1-q) - m q^m/(1-q^m)``, the variance ``q/(1-q)² - m² q^m/(1-q^m)²``;
    series in ``|x|`` near 0), then reflected."""
    y = abs(x)
    one = -math.expm1(-y)  # 1 - q
    whole = -math.expm1(-y * m)  # 1 - q^m
    g = whole / one if y > 0.0 else m
    if m * y < 1e-2:
        m2, m4 = m * m - 1.0, m**4 - 1.0
        mean = (m - 1.0) / 2.0 - m2 * y / 12.0 + m4 * y**3 / 720.0
        var = m2 / 12.0 - m4 * y * y / 240.0
    else:
        mean = (1.0 - one) / one - m * (1.0 - whole) / whole
        var = (1.0 - one) / (one * one) - m * m * (1.0 - whole) / (whole * whole)
    var = var if var > 0.0 else 0.0
    if x > 0.0:
        return (m - 1.0) - mean, var, g
    return mean, var, g


_tilted = numba.njit(cache=True, inline="always")(_tilted_py)


@numba.njit(cache=True)
def _profile(target: float, m: float) -> float:
    """``h(r) = max_x [x r - log G(x)]`` at a mean position ``r`` (``target``) of ``m``
    periods: a count line's profiled log-likelihood per count, ``h = I(r) - log m`` with
    ``I`` the rate function of positions uniform on ``0..m-1`` (0 at the limits, all
    counts in the first or last period). The growth ``b̂`` by Newton's method inside a
    shrinking bracket, as :func:`~periodize.segmentation.costs.poisson_trend.growth`,
    started from the nearer of the small-growth and the geometric approximations (a mean
    position ``r`` far from the middle is that of weights ``q^u`` with ``q/(1 - q) = r``).

    It stops at the first ``x`` whose Newton step ``δ = (r - mean)/var`` is below
    ``1e-5/m`` and prices the segment there, plus the step's gain ``(r - mean)²/(2 var)``:
    the profile ``h(x) = x r - log G(x)`` is concave with ``h' = r - mean`` and ``h'' =
    -var``, so ``h(b̂) = h(x) + (r - mean)²/(2 var) + O((m δ)³)``, an error below 1e-15 per
    count (its third derivative, the third cumulant of positions in ``0..m-1``, is below
    ``m³``). That is one evaluation of the moments fewer than stopping on a step that no
    longer moves ``x``, and none more to price it: 187 → 144 ns per segment of yearly
    Poisson(3) counts."""
    if not (m >= 2.0 and 0.0 < target < m - 1.0):
        return 0.0
    low, high = -GROWTH_LIMIT, GROWTH_LIMIT
    x = (target - (m - 1.0) / 2.0) * 12.0 / (m * m - 1.0)  # Newton's first step from 0
    edge = min(target, m - 1.0 - target)  # the geometric approximation near an end
    if abs(x) > 1.0 / (edge + 1.0):  # else log(1 + 1/edge) ≥ 1/(edge + 1) ≥ |x|
        geometric = math.log(edge / (1.0 + edge))
        if geometric > -abs(x):
            x = math.copysign(-geometric, x)
    at, g, gain = x, m, 0.0  # the last x evaluated, G(-|x|) and the step's gain there
    for _ in range(GROWTH_STEPS):
        mean, var, g = _tilted(x, m)
        at, gap = x, target - mean
        gain = 0.5 * gap * gap / var if var > 0.0 else 0.0
        if var > 0.0 and abs(gap / var) * m <= 1e-5:
            break
        if mean > target:  # the mean position grows with x
            high = x
        else:
            low = x
        step = x + gap / var if var > 0.0 else math.inf
        x = step if low < step < high else (low + high) / 2.0
    return at * target - math.log(g) - (m - 1.0) * max(at, 0.0) + gain


@numba.njit(cache=True)
def _trend_poisson_cost(total: float, within: float, m: float, slogs: float) -> float:
    """``-2 ℓ(b̂) = -2 (S log S - S + S h(T/S))`` of a segment of ``m`` periods with total
    ``S``, ``T = Σ u y`` (``within``) and ``S log S`` (``slogs``); :func:`_profile`."""
    if total <= 0.0:
        return 0.0
    return -2.0 * (slogs - total + total * _profile(within / total, m))


#: Mean positions per segment length at which :func:`rate_table` holds the rate function.
RATE_GRID = 64


@numba.njit(cache=True)
def _rate_table(n: int) -> np.ndarray:
    table = np.empty((n + 1, RATE_GRID + 1))
    table[0, :] = 0.0
    for m in range(1, n + 1):
        log_m = math.log(m)
        for j in range(RATE_GRID + 1):
            inside = 0 < j < RATE_GRID and m >= 2
            table[m, j] = log_m + (_profile((m - 1.0) * j / RATE_GRID, m) if inside else 0.0)
    return table


def rate_table(n: int) -> np.ndarray:
    """The rate function ``I(r) = h(r) + log m`` (:func:`_profile`) of every segment length
    ``m = 0..n`` at the mean positions ``r = (m - 1) j / RATE_GRID``, ``j = 0..RATE_GRID``
    (``log m`` at both ends), for :func:`line_cost_bound`; about 0.1 µs per entry (0.5 ms
    for 34 periods, 0.09 s for 5,000, against seconds for the search it bounds)."""
    return frozen(_rate_table(n))


@numba.njit(cache=True, inline="always")
def line_cost_bound(
    total: float, within: float, m: int, slogs: float, p: float, rates: np.ndarray
) -> float:
    """A lower bound, cheaper than a Newton solve, of the count line's cost
    ``_trend_poisson_cost(total, within, m, slogs) / p``: the constant rate's cost
    ``-2 (S log S - S - S log m)`` less the most a slope can gain, ``2 S I(r)``, with ``I``
    bounded above by the chord between the two grid points of ``rates`` around ``r``
    (:func:`rate_table`). ``I`` is convex (a Legendre transform), so its chords lie above
    it; a margin of 1e-9 of the terms' size keeps the bound below the computed cost."""
    if total <= 0.0:
        return 0.0
    log_m = rates[m, 0]
    rate = log_m  # at the limits
    if m >= 2:
        u = (within / total) / (m - 1.0) * RATE_GRID
        j = int(u)
        if 0 <= j < RATE_GRID:
            f = u - j
            rate = (1.0 - f) * rates[m, j] + f * rates[m, j + 1]
    size = abs(slogs) + total * (1.0 + log_m)
    return (-2.0 * (slogs - total - total * log_m + total * rate) - 1e-9 * (1.0 + size)) / p


@numba.njit(cache=True, inline="always")
def sloped(code: int) -> bool:
    """Whether the model's segments need ``S3 = Σ (t - s) y`` (a slope per segment)."""
    return code == _TREND or code == _POISSON_TREND


@numba.njit(cache=True, inline="always")
def s_log_s(total: float, xlogx: np.ndarray) -> float:
    """``S log S`` of a segment total: looked up when ``xlogx`` is the table of integer
    counts (:func:`lookup_tables`), else computed (0 for no count)."""
    if xlogx.shape[0] > 1:
        return xlogx[int(total)]
    return total * math.log(total) if total > 0.0 else 0.0


def _segment_cost_py(
    code: int,
    s1: float,
    s2: float,
    s3: float,
    extent: float,
    m: float,
    p: float,
    xlogx: np.ndarray,
    logm: np.ndarray,
) -> float:
    # ``* (c / p)`` rather than ``/ p``: the factor is the same for every segment of a
    # series, so the compiled loops compute it once (a division per segment is most of
    # the cost of the normal model's)
    if code == _POISSON_TABLE:  # integer counts without exposure: no logarithm per segment
        return (xlogx[int(s1)] - s1 * logm[int(m)] - s1) * (-2.0 / p)
    if code == _POISSON:
        if s1 <= 0.0:
            return 0.0
        return (s1 * math.log(s1 / extent) - s1) * (-2.0 / p)
    if code == _NORMAL:
        rss = s2 - s1 * s1 / m
        return (rss if rss > 0.0 else 0.0) * (1.0 / p)
    if code == _TREND:
        rss = s2 - s1 * s1 / m
        if m > 1.0:
            suy = s3 - s1 * (m - 1.0) / 2.0
            rss -= suy * suy / (m * (m * m - 1.0) / 12.0)
        return (rss if rss > 0.0 else 0.0) * (1.0 / p)
    if code == _POISSON_TREND:  # S log S looked up for integer counts (a table is built)
        return _trend_poisson_cost(s1, s3, m, s_log_s(s1, xlogx)) * (1.0 / p)
    if code == _MEANVAR:
        rss = s2 - s1 * s1 / m
        var = (rss if rss > 0.0 else 0.0) / m
        return m * math.log(var if var > p else p)
    mean = s1 / m
    if p > 0.0:
        tail = (s1 + m / p) * math.log1p(p * mean)
    else:
        tail = m * mean
    head = s1 * math.log(mean) if s1 > 0.0 else 0.0
    return -2.0 * (head - tail)


@numba.njit(cache=True, parallel=True)
def _largest_total(values: np.ndarray) -> float:
    """The largest row total when every value is a non-negative integer, else -1."""
    totals = np.empty(values.shape[0])
    for i in numba.prange(values.shape[0]):
        total = 0.0
        for t in range(values.shape[1]):
            y = values[i, t]
            total += y if y >= 0.0 and y == math.floor(y) else -math.inf
        totals[i] = total
    largest = totals.max() if totals.size else 0.0
    return largest if largest >= 0.0 and totals.min() >= 0.0 else -1.0


def lookup_tables(
    code: int, values: np.ndarray, exposure: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``S log S`` for every possible segment total and ``log m`` for every length, when a
    Poisson cost (of levels or lines) prices integer counts without exposure (empty tables
    otherwise)."""
    empty = (np.zeros(1), np.zeros(1))
    if code not in (_POISSON, _POISSON_TREND) or exposure.shape[0] or values.size == 0:
        return empty
    largest = _largest_total(values)
    if not 0 <= largest <= TABLE_LIMIT:
        return empty
    counts = np.arange(int(largest) + 1, dtype=float)
    lengths = np.arange(values.shape[1] + 1, dtype=float)
    with np.errstate(divide="ignore"):
        return counts * np.where(counts > 0, np.log(counts), 0.0), np.log(lengths)


def table_code(code: int, xlogx: np.ndarray) -> int:
    """The model code the kernels run: the levels' look-up variant where a Poisson cost has
    its table (lines look ``S log S`` up under their own code)."""
    return _POISSON_TABLE if code == _POISSON and xlogx.size > 1 else code


segment_cost = numba.njit(cache=True, inline="always")(_segment_cost_py)


@numba.njit(cache=True, parallel=True)
def _priced(
    code: int,
    values: np.ndarray,
    exposure: np.ndarray,
    params: np.ndarray,
    edges: np.ndarray,
    xlogx: np.ndarray,
    logm: np.ndarray,
    out: np.ndarray,
) -> None:
    exposed = exposure.shape[0] > 0
    for i in numba.prange(values.shape[0]):
        total = 0.0
        for j in range(edges.shape[1] - 1):
            s1 = s2 = s3 = extent = 0.0
            for t in range(edges[i, j], edges[i, j + 1]):
                y = values[i, t]
                s1 += y
                s2 += y * y
                s3 += (t - edges[i, j]) * y
                extent += exposure[i, t] if exposed else 1.0
            m = float(edges[i, j + 1] - edges[i, j])
            total += segment_cost(code, s1, s2, s3, extent, m, params[i], xlogx, logm)
        out[i] = total


def total_cost(cost: PricedCost, edges: np.ndarray) -> np.ndarray | None:
    """Sum of segment costs of each row's segmentation (``edges``: ``(n_series, k + 2)``),
    in O(n) per series without prefix sums, or ``None`` for a cost no formula here knows."""
    inputs = kernel_inputs(cost)
    if inputs is None:
        return None
    code, values, exposure, params = inputs
    xlogx, logm = lookup_tables(code, values, exposure)
    out = np.empty(cost.n_series)
    _priced(
        table_code(code, xlogx),
        values,
        exposure,
        params,
        frozen(edges, np.int64),
        xlogx,
        logm,
        out,
    )
    return out
