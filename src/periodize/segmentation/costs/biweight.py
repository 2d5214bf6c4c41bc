r"""Robust level shifts: the biweight (truncated quadratic) loss of Fearnhead & Rigaill
(2019, *JASA* 114).

A burst of events in one period of an otherwise quiet record is an outlier, not a period.
The quadratic cost pays for it as for a shift and cuts the record around it; the biweight
loss caps what one observation can cost:

.. math::  \gamma(y, \mu) = \min\bigl((y - \mu)^2/\hat\sigma^2,\ K^2\bigr),

so an observation more than :math:`K = 3` noise standard deviations from its period's
level costs :math:`K^2` whatever its size. A segment costs :math:`\min_\mu \sum \gamma`,
its level the minimising :math:`\mu` (the mean of the observations within :math:`K` of
it). :math:`\hat\sigma` is fixed once per series, robustly: the median absolute first
difference over :math:`0.6745\sqrt2` (neither shifts nor outliers move it). The loss is
not convex, so the search is R-FPOP (:mod:`periodize.segmentation.search.rfpop`):
functional pruning with piecewise quadratic functions, exact.

The log-likelihood reported is the biweight's pseudo-likelihood,
:math:`-\tfrac12 \sum (\log 2\pi\hat\sigma^2 + \gamma)`; the standard error of a level is
:math:`\hat\sigma/\sqrt{m_{in}}` over the :math:`m_{in}` observations within :math:`K`.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike

from ..._kernels import frozen
from ..noise import noise_scale, robust_mean_square
from .base import Cost, GivenScale

#: Observations farther than this many noise standard deviations from their period's
#: level cost the same (Fearnhead & Rigaill's choice).
THRESHOLD = 3.0


def robust_sd(values: np.ndarray) -> np.ndarray:
    r"""Per series, :math:`\operatorname{median}|\Delta y| / (0.6745 \sqrt 2)`: the noise
    standard deviation that shifts and outliers do not move; the root mean square
    difference over :math:`\sqrt2` where the median is 0, and 1 for a constant series.
    Never below a millionth of the series' range: on a finer scale the squared distances
    the costs sum lose their precision (a series of near-zeros and one 1 would price the
    1 as an outlier from its own level).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(0, 2.0, 4000)
    >>> y[::50] += 40.0  # outliers
    >>> bool(1.85 < robust_sd(y[None])[0] < 2.15)
    True
    """
    if values.shape[1] < 2:
        return np.ones(values.shape[0])
    sd = np.sqrt(robust_mean_square(np.diff(values, axis=1)) / 2.0)
    sd = np.maximum(sd, _RESOLUTION * np.ptp(values, axis=1))
    return np.where(sd > 0, sd, 1.0)


#: The smallest noise scale, as a share of a series' range (see :func:`robust_sd`).
_RESOLUTION = 1e-6


@numba.njit(cache=True)
def segment_fit(z: np.ndarray, bound: float) -> tuple[float, float, int]:
    """Minimum over ``mu`` of ``sum(min((z - mu)**2, bound**2))``, the minimising ``mu``
    and how many observations lie within ``bound`` of it. Exact: ``mu`` sweeps the
    ``2m`` points where an observation enters or leaves the band, the inliers' quadratic
    minimised on each interval (O(m log m))."""
    v = np.sort(z)
    m = v.shape[0]
    cap = bound * bound
    best, where, inliers = m * cap, v[0] if m else 0.0, 0
    a, s, q = 0, 0.0, 0.0  # inliers' count, sum and sum of squares
    enter, leave = 0, 0
    low = -math.inf
    while leave < m:
        if enter < m and v[enter] - bound <= v[leave] + bound:
            high = v[enter] - bound
        else:
            high = v[leave] + bound
        if a > 0 and high > low:
            mu = min(max(s / a, low), high)
            value = a * mu * mu - 2.0 * s * mu + q + (m - a) * cap
            if value < best:
                best, where, inliers = value, mu, a
        if enter < m and v[enter] - bound <= v[leave] + bound:
            a, s, q = a + 1, s + v[enter], q + v[enter] * v[enter]
            enter += 1
        else:
            a, s, q = a - 1, s - v[leave], q - v[leave] * v[leave]
            leave += 1
        low = high
    return max(best, 0.0), where, inliers


@numba.njit(cache=True, parallel=True)
def _fits(
    z: np.ndarray, starts: np.ndarray, ends: np.ndarray, bound: float, out: np.ndarray
) -> None:
    """``segment_fit`` of every (series, segment): ``out[i, j]`` = (cost, level, inliers)."""
    for i in numba.prange(z.shape[0]):
        for j in range(starts.shape[1]):
            cost, mu, inliers = segment_fit(z[i, starts[i, j] : ends[i, j]], bound)
            out[i, j, 0], out[i, j, 1], out[i, j, 2] = cost, mu, inliers


class BiweightCost(Cost):
    """Robust level shifts priced by the biweight loss (see the module's docstring).

    Values are put on the noise's scale once (``(y - median) / sigma``), so costs are in
    noise variances and penalties mean the same for every series.

    Examples
    --------
    >>> y = np.array([[0.0, 0.1, -0.1, 0.0, 30.0, 0.1, 5.0, 5.1, 4.9, 5.0]])
    >>> cost = BiweightCost(y)
    >>> round(float(cost.estimates(np.array([0]), np.array([6]))[0][0, 0]), 3)  # not 30
    0.02
    """

    name = "biweight"
    n_shared = 1
    #: Observations farther than this many noise sd from their level cost the same.
    threshold = THRESHOLD

    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        super().__init__(values, exposure)
        self.sigma = self._unit()
        self.centre = np.median(self.values, axis=1) if self.n_periods else np.zeros(0)
        self.z = frozen((self.values - self.centre[:, None]) / self.sigma[:, None])

    def _unit(self) -> np.ndarray:
        """The noise standard deviation the band and the costs are measured in."""
        return robust_sd(self.values)

    def fits(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """(cost, level on the noise scale, inliers) of segments, ``(n_series, m, 3)``."""
        start, end = np.atleast_1d(start), np.atleast_1d(end)
        width = max(start.shape[-1], end.shape[-1])
        shape = (self.n_series, width)
        starts = frozen(np.broadcast_to(start, shape), np.int64)
        ends = frozen(np.broadcast_to(end, shape), np.int64)
        out = np.empty((*starts.shape, 3))
        _fits(self.z, starts, ends, self.threshold, out)
        return out

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return self.fits(start, end)[:, :, 0].T

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        fit = self.fits(start, end)
        level = fit[:, :, 1] * self.sigma[:, None] + self.centre[:, None]
        se = self.sigma[:, None] / np.sqrt(np.maximum(fit[:, :, 2], 1.0))
        return level.T, se.T

    def rates(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        return self.estimates(starts, ends)[0]

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        z = (self.values - fitted_mean) / self.sigma[:, None]
        loss = np.minimum(z * z, self.threshold**2)
        return -0.5 * (np.log(2 * np.pi * self.sigma[:, None] ** 2) + loss)

    def total_cost(self, edges: np.ndarray, compiled: bool = True) -> np.ndarray:
        return self.fits(edges[:, :-1], edges[:, 1:])[:, :, 0].sum(axis=1)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"sigma2": self.sigma**2}


class LongRunBiweightCost(GivenScale, BiweightCost):
    r""":class:`BiweightCost` for the penalty ``"auto"``, on autocorrelated noise too. For
    AR(1) noise with lag-one correlation :math:`\phi` the robust first-difference scale
    :math:`\hat\sigma_\Delta` measures :math:`\gamma_0 (1 - \phi)`, so the band is
    :math:`K` *marginal* noise sd, :math:`\hat\sigma = \hat\sigma_\Delta/\sqrt{1 -
    \phi}`, and the costs are measured in the long-run variance
    :math:`\hat\sigma^2 (1 + \phi)/(1 - \phi) = \hat\sigma_\Delta^2 (1 + \phi)/(1 -
    \phi)^2` (``scale`` when given; :math:`\phi` from
    :func:`~periodize.segmentation.noise.noise_scale` otherwise): the biweight's costs
    divided by :attr:`factor` :math:`= (1 + \phi)/(1 - \phi)`. With :math:`\phi = 0` it
    is :class:`BiweightCost`.
    """

    def _unit(self) -> np.ndarray:
        step = robust_sd(self.values)
        if self.given_scale is None:
            phi = noise_scale(self.values).phi
        else:  # the scale is step² (1 + phi)/(1 - phi)²: phi solves that quadratic
            ratio = np.maximum(self.given_scale / step**2, 1.0)
            phi = ((2 * ratio + 1) - np.sqrt(8 * ratio + 1)) / (2 * ratio)
        #: Long-run variance over the marginal one: the costs are divided by it.
        self.factor = (1 + phi) / (1 - phi)
        return step / np.sqrt(1 - phi)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return super()._cost(start, end) / self.factor

    def total_cost(self, edges: np.ndarray, compiled: bool = True) -> np.ndarray:
        return super().total_cost(edges, compiled) / self.factor

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"sigma2": self.sigma**2, "long_run_variance": self.sigma**2 * self.factor}


__all__ = ["BiweightCost", "LongRunBiweightCost", "robust_sd", "segment_fit"]
