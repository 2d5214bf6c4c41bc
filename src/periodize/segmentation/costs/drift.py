r"""Level shifts under a drifting level and AR(1) noise (``model="normal_drift"``): the
likelihood, the parameters by restricted maximum likelihood, the fit of a segmentation,
and, for series that share their changes, every segment's cost.

The model is DeCAFS's (Romano, Rigaill, Runge & Fearnhead 2022, *JASA* 117):
:math:`y_t = \mu_t + \epsilon_t`, the noise AR(1) (lag-one correlation :math:`\phi`,
innovation variance :math:`\sigma^2`), the level a random walk (steps of variance
:math:`q\sigma^2`) that jumps freely at a change point. A smooth rise, a slow wandering of
the level, is drift, not a sequence of periods; a period begins where the level jumps by
more than its drift explains.

**Likelihood.** Given the change points, write the level as a constant per period
(:math:`\beta_j`, the jump sizes are their differences) plus one random walk from 0 that
does not step at a change. The data are Gaussian with mean :math:`X\beta` and covariance
:math:`\sigma^2\Omega(q, \phi)`; the log-likelihood profiled over :math:`\beta` and
:math:`\sigma^2` is computed exactly in O(n) per series by the augmented Kalman filter (de
Jong 1991): one filter for the state (walk, noise), run on the data and on every column of
:math:`X`, accumulates :math:`X'\Omega^{-1}X`, :math:`X'\Omega^{-1}y`,
:math:`y'\Omega^{-1}y` and :math:`\log|\Omega|` (tested equal to the dense GLS formula).
:math:`\beta` is then the GLS estimate, with standard errors
:math:`\hat\sigma^2 (X'\Omega^{-1}X)^{-1}`.

**Parameters.** :math:`(\phi, q)` maximise the restricted (REML) likelihood over a grid
(:data:`PHI_GRID`, :data:`Q_GRID`), for given change points (:func:`drift_parameters`):
the likelihood of the data with the periods' constants integrated out, which does not
bias the variances down by the constants it fits, and which a filter with the level
unknown (diffuse) at the start and at every change computes in O(n) whatever the number
of periods (tested equal, at its maximum, to the dense REML formula); :math:`\sigma^2` is
its REML estimate. How the parameters and the change points are found together:
:mod:`periodize.segmentation.drifting`.

**Segment costs** (:func:`segment_costs`). With independent noise (:math:`\phi = 0`) the
level of one period does not reach into the next, so a segmentation's cost is a sum over
its segments, each the standardised squared innovations of a filter started at its first
period: series sharing their changes are searched on the sum of their tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import solveh_banded

from .base import Cost, GivenScale, difference_variance, segment_of_each_period

#: Lag-one correlations of the noise searched.
PHI_GRID = np.round(np.arange(0.0, 0.951, 0.05), 2)
#: Drift-to-noise variance ratios searched (0: no drift); at the top the level is a random
#: walk with almost no noise around it.
Q_GRID = np.r_[0.0, 10.0 ** np.arange(-4.0, 3.01, 0.25)]
#: Least innovation variance fitted, in units of the mean square of the first differences
#: over 2: a series the levels fit exactly (a staircase) keeps a finite likelihood.
MIN_VARIANCE = 1e-6


@numba.njit(cache=True)
def _augmented(
    y: np.ndarray, segment: np.ndarray, d: int, q: float, phi: float, s: np.ndarray
) -> float:
    """Run the filter of the walk plus AR(1) noise (innovation variance 1) on ``y`` and the
    ``d`` period indicators of ``segment``; fill ``s`` ((d + 1)², the last row and column
    for ``y``) with the cross-products of the standardised innovations and return
    ``log |Omega|``."""
    n = y.shape[0]
    mean = np.zeros((d + 1, 2))  # predicted (walk, noise) of every indicator and of y
    p00, p01, p11 = 0.0, 0.0, 1.0 / (1.0 - phi * phi)
    v = np.empty(d + 1)
    s[:, :] = 0.0
    logdet = 0.0
    for t in range(n):
        if t > 0:
            step = 0.0 if segment[t] != segment[t - 1] else q
            p00, p01, p11 = p00 + step, phi * p01, phi * phi * p11 + 1.0
            for j in range(d + 1):
                mean[j, 1] *= phi
        f = p00 + 2.0 * p01 + p11
        k0, k1 = (p00 + p01) / f, (p01 + p11) / f
        for j in range(d):
            v[j] = (1.0 if segment[t] == j else 0.0) - mean[j, 0] - mean[j, 1]
        v[d] = y[t] - mean[d, 0] - mean[d, 1]
        for j in range(d + 1):
            if v[j] == 0.0:
                continue
            mean[j, 0] += k0 * v[j]
            mean[j, 1] += k1 * v[j]
            scaled = v[j] / f
            for m in range(j, d + 1):
                s[j, m] += scaled * v[m]
        p00, p01, p11 = p00 - k0 * k0 * f, p01 - k0 * k1 * f, p11 - k1 * k1 * f
        logdet += math.log(f)
    for j in range(d + 1):
        for m in range(j):
            s[j, m] = s[m, j]
    return logdet


@numba.njit(cache=True)
def _restricted(y: np.ndarray, change: np.ndarray, q: float, phi: float) -> tuple[float, float]:
    """The filter of the level (a random walk whose value is unknown, diffuse, at the start
    and at every change) plus AR(1) noise (innovation variance 1) on ``y``: the sum of the
    standardised squared innovations and of log F over the non-diffuse periods.

    At a diffuse period the observation fixes the level given the noise and says nothing
    of the noise: the noise keeps its prediction, the level is ``y`` minus it. The
    likelihood of the other periods is the restricted (REML) likelihood of the model, the
    periods' constants integrated out (Harvey 1989, 3.4)."""
    p00, p01, p11 = 0.0, 0.0, 1.0 / (1.0 - phi * phi)
    a0, a1 = 0.0, 0.0
    squares, logs = 0.0, 0.0
    for t in range(y.shape[0]):
        if t > 0:
            a1 *= phi
            p00, p01, p11 = p00 + q, phi * p01, phi * phi * p11 + 1.0
        if t == 0 or change[t]:  # the level is unknown: y fixes it given the noise
            a0, p00, p01 = y[t] - a1, p11, -p11
            continue
        f = p00 + 2.0 * p01 + p11
        v = y[t] - a0 - a1
        k0, k1 = (p00 + p01) / f, (p01 + p11) / f
        a0 += k0 * v
        a1 += k1 * v
        p00, p01, p11 = p00 - k0 * k0 * f, p01 - k0 * k1 * f, p11 - k1 * k1 * f
        squares += v * v / f
        logs += math.log(f)
    return squares, logs


@numba.njit(cache=True, parallel=True)
def _grid(
    values: np.ndarray,
    changes: np.ndarray,
    counts: np.ndarray,
    phis: np.ndarray,
    qs: np.ndarray,
    out: np.ndarray,
) -> None:
    """Per row: the grid's best (-2 × restricted log-likelihood, phi, q, variance) into
    ``out``, the variance profiled out (its REML estimate, floored)."""
    n = values.shape[1]
    for i in numba.prange(values.shape[0]):
        free = n - counts[i]  # observations beyond the periods' constants
        out[i, 0] = math.inf
        for phi in phis:
            for q in qs:
                squares, logs = _restricted(values[i], changes[i], q, phi)
                variance = max(squares / free, MIN_VARIANCE)
                deviance = free * math.log(variance) + logs + squares / variance
                if deviance < out[i, 0]:
                    out[i, 0], out[i, 1], out[i, 2], out[i, 3] = deviance, phi, q, variance


@numba.njit(cache=True)
def _segment_costs(y: np.ndarray, q: float, out: np.ndarray) -> None:
    """``out[s, e]`` (``e > s``): the least cost of ``y[s:e]`` under a drifting level with
    independent noise of variance 1 and drift steps of variance ``q``, the level at ``s``
    free: the standardised squared innovations of the filter started at ``s`` (for
    ``q = 0``, the squared deviations from the segment's mean)."""
    n = y.shape[0]
    for s in range(n):
        level, p, total = y[s], 1.0, 0.0
        out[s, s + 1] = 0.0
        for t in range(s + 1, n):
            predicted = p + q
            f = predicted + 1.0
            v = y[t] - level
            total += v * v / f
            out[s, t + 1] = total
            level += predicted / f * v
            p = predicted / f


def segment_costs(values: np.ndarray, fitted: DriftParameters) -> np.ndarray:
    """Per row of ``values``, every segment's least cost under its drift with independent
    noise (``fitted.phi`` must be 0), in units of its noise variance: ``(n_series, n + 1,
    n + 1)``, ``[i, s, e]`` for the periods ``s`` to ``e - 1`` (``inf`` for ``e <= s``).
    Without dependence the cost of a segmentation is their sum."""
    if np.any(fitted.phi != 0):
        raise ValueError("segment costs are a sum over segments only without dependence")
    n_series, n = values.shape
    out = np.full((n_series, n + 1, n + 1), np.inf)
    for i in range(n_series):
        y = (values[i] - np.median(values[i])) / fitted.sd_noise[i]
        _segment_costs(y, float((fitted.sd_drift[i] / fitted.sd_noise[i]) ** 2), out[i])
    return out


@dataclass(frozen=True)
class DriftParameters:
    """Per series, the maximum-likelihood parameters of the drift model for given change
    points.

    Attributes
    ----------
    sd_noise : ndarray
        Innovation sd of the AR(1) noise.
    phi : ndarray
        Its lag-one correlation.
    sd_drift : ndarray
        Step sd of the level's random walk (0: no drift).
    deviance : ndarray
        -2 × the log-likelihood at these parameters for the change points they were
        fitted to, the levels by GLS (all constants included).
    """

    sd_noise: np.ndarray
    phi: np.ndarray
    sd_drift: np.ndarray
    deviance: np.ndarray

    def stacked(self) -> np.ndarray:
        """``(n_series, 3)``: sd_noise, phi, sd_drift (the cost's per-series parameters)."""
        return np.column_stack([self.sd_noise, self.phi, self.sd_drift])


def _standardised(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values centred on their medians and divided by a scale per series (the difference
    -based sd; 1 for a constant series), and that scale."""
    scale = np.sqrt(difference_variance(values))
    centred = values - np.median(values, axis=1, keepdims=True)
    return np.ascontiguousarray(centred / scale[:, None]), scale


def drift_parameters(
    values: np.ndarray, breaks: list[list[int]], independent: bool = False
) -> DriftParameters:
    """Restricted maximum-likelihood :math:`(\\sigma, \\phi, \\sigma_\\eta)` of every row of
    ``values`` (series × periods) given its change points ``breaks``, over the grid of
    :data:`PHI_GRID` × :data:`Q_GRID` (``independent``: the noise's correlation held at 0).

    Examples
    --------
    A random walk with steps of sd 0.5 plus independent noise of sd 1:

    >>> rng = np.random.default_rng(1)
    >>> walk = np.cumsum(0.5 * rng.standard_normal(5000)) + rng.standard_normal(5000)
    >>> fitted = drift_parameters(walk[None], [[]])
    >>> [round(float(x[0]), 2) for x in (fitted.sd_drift, fitted.sd_noise, fitted.phi)]
    [0.54, 0.96, 0.0]
    """
    values = np.asarray(values, dtype=float)
    n_series, n = values.shape
    standard, scale = _standardised(values)
    changes = np.zeros((n_series, n), dtype=np.bool_)
    for i, b in enumerate(breaks):
        changes[i, list(b)] = True
    counts = np.array([len(b) + 1 for b in breaks], dtype=np.int64)
    out = np.empty((n_series, 4))
    _grid(standard, changes, counts, PHI_GRID[:1] if independent else PHI_GRID, Q_GRID, out)
    sd_noise = np.sqrt(out[:, 3]) * scale
    fitted = DriftParameters(
        sd_noise=sd_noise,
        phi=out[:, 1],
        sd_drift=np.sqrt(out[:, 2]) * sd_noise,
        deviance=np.zeros(n_series),
    )
    return replace(fitted, deviance=drift_deviance(values, breaks, fitted))


def drift_deviance(
    values: np.ndarray, breaks: list[list[int]], fitted: DriftParameters
) -> np.ndarray:
    """-2 × the log-likelihood of every row of ``values`` at the parameters ``fitted`` for
    its change points ``breaks`` (the levels by GLS)."""
    n = values.shape[1]
    rows = [np.array([0, *b, n], dtype=np.int64) for b in breaks]
    return -2 * DriftCost(values, scale=fitted.stacked()).loglik(rows)


class DriftCost(GivenScale, Cost):
    """The drift model of given parameters, for the result of a segmentation: its
    objective, likelihood, levels and fitted path (the search is
    :func:`periodize.segmentation.search.drift.drift_search`).

    ``scale`` is ``(n_series, 3)``: each series' innovation sd, lag-one correlation and
    step sd of the drift. The model's cost is not a sum over segments (the noise and the
    drift run across a change), so it prices whole segmentations only.
    """

    name = "normal_drift"
    n_params = 1
    n_shared = 3  # noise sd, its correlation, the drift's sd

    @cached_property
    def _filters(self) -> dict[tuple[Any, ...], tuple[np.ndarray, float, float]]:
        return {}

    @cached_property
    def _paths(self) -> dict[tuple[Any, ...], np.ndarray]:
        return {}

    @cached_property
    def centre(self) -> np.ndarray:
        """Each series' median: the likelihood and the levels' differences do not depend
        on a constant added to a series, and its precision does."""
        return np.median(self.values, axis=1)

    @property
    def parameters(self) -> np.ndarray:
        """``(n_series, 3)``: the innovation sd, lag-one correlation and drift step sd."""
        if self.given_scale is None:
            raise ValueError("the normal_drift cost takes its parameters as scale")
        return self.given_scale.reshape(self.n_series, 3)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        raise NotImplementedError(
            "the normal_drift cost is not a sum over segments: price whole segmentations "
            "with total_cost"
        )

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError("the normal_drift estimates come from a segmentation")

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        raise NotImplementedError(
            "the normal_drift likelihood does not factor over periods: use loglik"
        )

    def nuisance(self) -> dict[str, np.ndarray]:
        sd, phi, drift = self.parameters.T
        return {"sigma2": sd**2, "phi": phi, "drift_sd": drift}

    def _filtered(
        self, edges: np.ndarray | list[np.ndarray]
    ) -> list[tuple[np.ndarray, float, float]]:
        """Per series (``edges``: a row of 0, its change points, n each, of any lengths):
        the filter's cross-products (in units of the noise sd), log|Omega| and the sd."""
        return [self._filter_row(i, row) for i, row in enumerate(edges)]

    def _filter_row(self, i: int, row: np.ndarray) -> tuple[np.ndarray, float, float]:
        """:meth:`_filtered` of series ``i``, once per segmentation (the result asks for
        the likelihood, the levels and the jumps of the same one)."""
        key = (i, tuple(int(e) for e in row))
        if key not in self._filters:
            sd, phi, drift = self.parameters[i]
            d = len(row) - 1
            s = np.empty((d + 1, d + 1))
            segment = np.repeat(np.arange(d), np.diff(row))
            y = (self.values[i] - self.centre[i]) / sd  # the levels absorb a constant
            logdet = _augmented(y, segment, d, (drift / sd) ** 2, phi, s)
            self._filters[key] = (s, logdet, sd)
        return self._filters[key]

    def loglik(self, edges: np.ndarray | list[np.ndarray]) -> np.ndarray:
        """The log-likelihood (all constants) at the parameters, the levels by GLS."""
        n = self.n_periods
        out = np.empty(len(edges))
        for i, (s, logdet, sd) in enumerate(self._filtered(edges)):
            d = s.shape[0] - 1
            beta = np.linalg.solve(s[:d, :d], s[:d, d])
            rss = (s[d, d] - s[:d, d] @ beta) * sd**2
            out[i] = -0.5 * (n * np.log(2 * np.pi * sd**2) + logdet + rss / sd**2)
        return out

    def partial_loglik(self, edges: np.ndarray | list[np.ndarray]) -> np.ndarray:
        return self.loglik(edges)

    def estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """The mean fitted level of every period of one segmentation per series (``start``,
        ``end``: ``(n_series, k + 1)``) and its standard error: the GLS one where the level
        is constant (no drift); with drift the posterior standard deviation of the period's
        mean level given the changes and the parameters (the level path's covariance is
        ``sd²`` times the inverse of the banded matrix of :meth:`fitted_means`; each level
        unknown at the start and at every change)."""
        edges = np.column_stack([np.asarray(start), np.asarray(end)[:, -1]])
        means = self.fitted_means(edges)
        segment = segment_of_each_period(edges, self.n_periods)
        levels = np.stack(
            [np.bincount(s, m) / np.bincount(s) for s, m in zip(segment, means, strict=True)]
        )
        se = np.empty_like(levels)
        for i, (s, _, sd) in enumerate(self._filtered(edges)):
            if self.parameters[i, 2] == 0:
                d = s.shape[0] - 1
                se[i] = sd * np.sqrt(np.diag(np.linalg.inv(s[:d, :d])))
                continue
            averages = np.eye(edges.shape[1] - 1)[segment[i]] / np.diff(edges[i])  # (n, k+1)
            spread = solveh_banded(self._band(i, edges[i]), averages)
            se[i] = sd * np.sqrt(np.einsum("tj,tj->j", averages, spread))
        return levels, se

    def segment_columns(self, start: ArrayLike, end: ArrayLike) -> dict[str, np.ndarray]:
        """The jump into every period (NaN for the first) with its standard error, the
        level at the period's first and last observation."""
        edges = np.column_stack([np.asarray(start), np.asarray(end)[:, -1]])
        means = self.fitted_means(edges)
        jump = np.full((len(edges), edges.shape[1] - 1), np.nan)
        jump_se = np.full_like(jump, np.nan)
        for i, (s, _, sd) in enumerate(self._filtered(edges)):
            d = s.shape[0] - 1
            beta = np.linalg.solve(s[:d, :d], s[:d, d])
            cov = np.linalg.inv(s[:d, :d]) * sd**2
            jump[i, 1:] = np.diff(beta) * sd
            variances = np.diag(cov)[1:] + np.diag(cov)[:-1] - 2 * np.diag(cov, 1)
            jump_se[i, 1:] = np.sqrt(np.maximum(variances, 0.0))
        first = np.take_along_axis(means, edges[:, :-1], axis=1)
        last = np.take_along_axis(means, edges[:, 1:] - 1, axis=1)
        return {"jump": jump, "jump_se": jump_se, "level_first": first, "level_last": last}

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        """The most likely level path given the change points: the minimiser of the
        model's objective (:func:`total_cost`), a tridiagonal system per series."""
        return np.stack([self._path(i, row) for i, row in enumerate(edges)])

    def _path(self, i: int, row: np.ndarray) -> np.ndarray:
        """The level path of series ``i``, once per segmentation (the objective, the
        estimates, the jumps and the diagnostics all read it)."""
        key = (i, tuple(int(e) for e in row))
        if key not in self._paths:
            self._paths[key] = self._solve_path(i, row)
        return self._paths[key]

    def _solve_path(self, i: int, row: np.ndarray) -> np.ndarray:
        _, phi, drift = self.parameters[i]
        y = self.values[i] - self.centre[i]
        if drift == 0:  # one level per period: GLS
            segment = np.repeat(np.arange(len(row) - 1), np.diff(row))
            design = np.eye(len(row) - 1)[segment]
            weighted = _ar_precision_times(design, phi)
            beta = np.linalg.solve(design.T @ weighted, weighted.T @ y)
            return design @ beta + self.centre[i]
        band = self._band(i, row)
        return solveh_banded(band, _ar_precision_times(y[:, None], phi)[:, 0]) + self.centre[i]

    def _band(self, i: int, row: np.ndarray) -> np.ndarray:
        """The precision of series ``i``'s level path in innovation units (the AR(1)
        noise's plus the drift steps', none at a change; drift > 0), upper banded form."""
        sd, phi, drift = self.parameters[i]
        n = self.n_periods
        steps = np.full(n - 1, (sd / drift) ** 2)
        steps[np.asarray(row[1:-1], dtype=int) - 1] = 0.0  # no drift step at a change
        diag = np.full(n, 1 + phi * phi)
        diag[[0, -1]] = 1.0
        diag[1:] += steps
        diag[:-1] += steps
        return np.vstack([np.r_[0.0, -phi - steps], diag])

    def total_cost(self, edges: np.ndarray, compiled: bool = True) -> np.ndarray:
        """The model's objective at the most likely levels, in units of the innovation
        variance: the AR(1) innovations' squares plus the drift steps' (no penalty)."""
        means = self.fitted_means(edges)
        out = np.empty(len(edges))
        for i, row in enumerate(edges):
            sd, phi, drift = self.parameters[i]
            e = (self.values[i] - means[i]) / sd
            innovations = np.r_[np.sqrt(1 - phi * phi) * e[0], e[1:] - phi * e[:-1]]
            total = innovations @ innovations
            if drift > 0:
                steps = np.diff(means[i]) / drift
                steps[np.asarray(row[1:-1], dtype=int) - 1] = 0.0
                total += steps @ steps
            out[i] = total
        return out


def _ar_precision_times(matrix: np.ndarray, phi: float) -> np.ndarray:
    """The AR(1) precision (innovation variance 1) times ``matrix`` (periods × columns)."""
    out = matrix * (1 + phi * phi)
    out[0] -= phi * phi * matrix[0]
    out[-1] -= phi * phi * matrix[-1]
    out[1:] -= phi * matrix[:-1]
    out[:-1] -= phi * matrix[1:]
    return out
