"""Posterior rates of every period: the mixture over the segments that may cover it, its
mean and equal-tailed band (what :attr:`Posterior.rates` computes when first asked for)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import sparse, special, stats

from .marginals import posterior_means

#: Most and fewest points of the grid on which each period's mixture CDF is evaluated.
BAND_GRID = (513, 129)
#: CDF evaluations (segments × grid points) above which the grid is made coarser.
BAND_BUDGET = 10_000_000
#: Segments per block when evaluating their CDFs (bounds memory).
BAND_BLOCK = 2000
#: Probability mass of a period's mixture that a segment may leave outside the grid.
BAND_TAIL = 1e-7


def posterior_rates(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    segments: np.ndarray,
    level: float,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Posterior mean and equal-tailed band of each period's rate: ``(series, n, 3)``.

    The rate of period ``t`` is a mixture over the segments ``[a, b)`` that cover ``t``,
    weighted by their posterior probability. Sums over covering segments are difference
    arrays (add at ``a``, subtract at ``b``, cumulate over periods), so memory is O(n²) in
    the series length, not O(n³). Bands are computed for groups of series at once, each
    group holding at most ``BAND_BUDGET / BAND_GRID[0]`` segments with probability (one
    long series may exceed it alone; its grid is then coarsened, down to ``BAND_GRID[1]``
    points).
    """
    n_series, n = values.shape
    weighted = segments * np.nan_to_num(posterior_means(model, values, prior, exposure))
    out = np.empty((n_series, n, 3))
    out[:, :, 0] = np.cumsum(weighted.sum(axis=2) - weighted.sum(axis=1), axis=1)[:, :n]
    carrying = (segments > 1e-12).reshape(n_series, -1).sum(axis=1)
    group_of = np.cumsum(carrying) // (BAND_BUDGET // BAND_GRID[0])
    bounds = [0, *(np.flatnonzero(np.diff(group_of)) + 1).tolist(), n_series]
    for first, last in itertools.pairwise(bounds):
        group = slice(first, last)
        out[group, :, 1:] = _bands(
            model,
            values[group],
            {k: v[group] for k, v in prior.items()},
            segments[group],
            level,
            None if exposure is None else exposure[group],
        )
    return out


def _bands(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    segments: np.ndarray,
    level: float,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Equal-tailed band of each period's rate for a group of series: ``(series, n, 2)``.

    Each period's mixture CDF is evaluated on a grid per series spanning its segments'
    posteriors; quantiles are interpolated linearly between grid points.
    """
    n_series, n = values.shape
    bands = np.full((n_series, n, 2), np.nan)
    series, starts, ends = np.nonzero(segments > 1e-12)
    if series.size == 0:
        return bands
    params = _component_posteriors(model, values, prior, series, starts, ends, exposure)
    dist = _frozen(model, params)
    # The grid spans each segment's posterior up to tails of mass BAND_TAIL / probability:
    # what lies beyond moves no period's CDF by more than BAND_TAIL per covering segment,
    # and improbable short segments with wide posteriors do not stretch the grid.
    tail = np.minimum(0.5, BAND_TAIL / segments[series, starts, ends])
    low, high = np.full(n_series, np.inf), np.full(n_series, -np.inf)
    np.minimum.at(low, series, dist.ppf(tail))
    np.maximum.at(high, series, dist.ppf(1 - tail))
    found = np.isfinite(low)
    low, high = np.where(found, low, 0.0), np.where(found, high, 1.0)
    size = int(np.clip(BAND_BUDGET // series.size, BAND_GRID[1], BAND_GRID[0]))
    grid = low[:, None] + (high - low)[:, None] * np.linspace(0.0, 1.0, size)
    diff = np.zeros((n_series * (n + 1), size))
    for first in range(0, series.size, BAND_BLOCK):
        block = slice(first, first + BAND_BLOCK)
        weights = segments[series[block], starts[block], ends[block]]
        columns = np.arange(weights.size)
        shape = (n_series * (n + 1), weights.size)
        row = series[block] * (n + 1)
        signed = sparse.csr_array((weights, (row + starts[block], columns)), shape=shape)
        signed -= sparse.csr_array((weights, (row + ends[block], columns)), shape=shape)
        part = {k: v[block] for k, v in params.items()}
        diff += signed @ _cdf(model, part, grid[series[block]])
    cdf = np.cumsum(diff.reshape(n_series, n + 1, size), axis=1)[:, :n].reshape(-1, size)
    cdf = np.maximum.accumulate(cdf / np.maximum(cdf[:, -1:], 1e-300), axis=1)
    per_row_grid = np.repeat(grid, n, axis=0)
    for col, q in enumerate(((1 - level) / 2, (1 + level) / 2)):
        bands[:, :, col] = _interpolated_quantile(cdf, per_row_grid, q).reshape(n_series, n)
    bands[~found] = np.nan
    return bands


def _interpolated_quantile(cdf: np.ndarray, grid: np.ndarray, q: float) -> np.ndarray:
    """Per row of ``cdf`` (non-decreasing on that row of ``grid``), the ``x`` where it
    reaches ``q``: a cubic Hermite interpolant between the two grid points that bracket
    ``q`` (tangents from central differences), solved by bisection."""
    size = cdf.shape[1]
    rows = np.arange(len(cdf))
    right = np.clip((cdf < q).sum(axis=1), 1, size - 1)  # first index with cdf >= q
    left = right - 1
    before, after = np.maximum(left - 1, 0), np.minimum(right + 1, size - 1)
    f0, f1 = cdf[rows, left], cdf[rows, right]
    d0 = (f1 - cdf[rows, before]) / (right - before)
    d1 = (cdf[rows, after] - f0) / (after - left)
    low, high = np.zeros(len(cdf)), np.ones(len(cdf))
    for _ in range(40):
        u = (low + high) / 2
        value = (
            (2 * u**3 - 3 * u**2 + 1) * f0
            + (u**3 - 2 * u**2 + u) * d0
            + (3 * u**2 - 2 * u**3) * f1
            + (u**3 - u**2) * d1
        )
        below = value < q
        low, high = np.where(below, u, low), np.where(below, high, u)
    share = (low + high) / 2
    return grid[rows, left] + share * (grid[rows, right] - grid[rows, left])


def _component_posteriors(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    series: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    exposure: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Parameters of the posterior of the rate (Gamma: ``shape``, ``rate``) or mean
    (Student t: ``df``, ``loc``, ``scale``) of segments ``[start, end)`` of the given series."""
    cumulative = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=cumulative[:, 1:])
    total = cumulative[series, ends] - cumulative[series, starts]
    length = (ends - starts).astype(float)
    p = {k: np.asarray(v, dtype=float)[series] for k, v in prior.items()}
    if model == "poisson":
        extent = length
        if exposure is not None:
            exposed = np.zeros_like(cumulative)
            np.cumsum(exposure, axis=1, out=exposed[:, 1:])
            extent = exposed[series, ends] - exposed[series, starts]
        return {"shape": p["shape"] + total, "rate": p["rate"] + extent}
    squares = np.zeros_like(cumulative)
    np.cumsum(values**2, axis=1, out=squares[:, 1:])
    q = squares[series, ends] - squares[series, starts]
    mean = total / length
    kappa_n = p["kappa"] + length
    alpha_n = p["shape"] + length / 2
    beta_n = (
        p["scale"]
        + np.maximum(q - total * mean, 0) / 2
        + p["kappa"] * length * (mean - p["mean"]) ** 2 / (2 * kappa_n)
    )
    return {
        "df": 2 * alpha_n,
        "loc": (p["kappa"] * p["mean"] + total) / kappa_n,
        "scale": np.sqrt(beta_n / (alpha_n * kappa_n)),
    }


def _frozen(model: str, params: Mapping[str, np.ndarray]) -> Any:
    """The segment posteriors as frozen scipy distributions (for their quantiles)."""
    if model == "poisson":
        return stats.gamma(params["shape"], scale=1.0 / params["rate"])
    return stats.t(params["df"], loc=params["loc"], scale=params["scale"])


def _cdf(model: str, params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """CDF of segment ``i``'s posterior at ``x[i, :]``: ``(segments, points)``; the special
    functions directly, without scipy.stats' argument checks."""
    if model == "poisson":
        return special.gammainc(params["shape"][:, None], params["rate"][:, None] * x)
    z = (x - params["loc"][:, None]) / params["scale"][:, None]
    return special.stdtr(params["df"][:, None], z)
