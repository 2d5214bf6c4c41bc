"""Gaussian segment costs: mean shift with common variance, and mean-and-variance shift."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from ..noise import noise_scale
from .base import (
    Cost,
    GivenScale,
    difference_variance,
    prefix_sums,
    range_sum,
    segment_length,
    segment_of_each_period,
)


class _Gaussian(Cost):
    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        centred = np.asarray(values, float) - np.asarray(values, float).mean(axis=1, keepdims=True)
        super().__init__(centred, exposure)
        self.shift = np.asarray(values, float).mean(axis=1)

    @cached_property
    def s2(self) -> np.ndarray:
        """Prefix sums of the squared (centred) values, ``(n + 1, n_series)``."""
        return prefix_sums(self.values**2)

    def rss(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        """Residual sums of squares, laid out ``(m, n_series)``."""
        total = range_sum(self.s1, start, end)
        rss = range_sum(self.s2, start, end) - total * total / segment_length(start, end)
        return np.maximum(rss, 0.0, out=rss)

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        return super().fitted_means(edges) + self.shift[:, None]

    def _residuals(self, fitted_mean: np.ndarray) -> np.ndarray:
        return self.values + self.shift[:, None] - fitted_mean


class NormalCost(_Gaussian):
    r"""Gaussian mean shift with a variance common to all segments.

    Cost of a segment: its residual sum of squares divided by :math:`\hat\sigma^2`, the
    difference-based variance of the series (:func:`difference_variance`, fixed once per
    series), so the cost is invariant to affine rescaling of the data. With a fixed number
    of breaks the optimum is the least-squares segmentation (ruptures' ``l2``). The reported
    log-likelihood profiles the common variance at the fitted segmentation
    (:math:`\hat\sigma^2 = RSS/n`), as an OLS fit with period dummies does. Standard error
    of a segment mean: :math:`\hat\sigma/\sqrt m` with :math:`\hat\sigma^2 = RSS/(n-k-1)`.
    """

    name = "normal"
    n_shared = 1

    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        super().__init__(values, exposure)
        self.sigma2 = self._variance()

    def _variance(self) -> np.ndarray:
        return difference_variance(self.values)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return self.rss(start, end) / self.sigma2

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """For the segments of one segmentation: the variance pools all of them."""
        length = segment_length(start, end)
        mean = range_sum(self.s1, start, end) / length
        rss = self.rss(start, end).sum(axis=0, keepdims=True)
        dof = np.maximum(self.n_periods - mean.shape[0], 1)
        return mean + self.shift, np.sqrt(rss / dof / length)

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        resid = self._residuals(fitted_mean)
        var = np.mean(resid**2, axis=1, keepdims=True)
        var = np.where(var > 0, var, np.finfo(float).tiny)
        return -0.5 * (np.log(2 * np.pi * var) + resid**2 / var)

    def loglik(self, edges: np.ndarray) -> np.ndarray:
        """Gaussian log-likelihood with the variance profiled out, from the segments'
        residual sums of squares: ``−n/2 (log(2π RSS/n) + 1)`` (what :meth:`logpdf` sums
        to, without a pass over the periods; a perfect fit keeps the same variance floor)."""
        rss = self.sigma2 * self.total_cost(edges)
        var = np.maximum(rss / self.n_periods, np.finfo(float).tiny)
        return -0.5 * (self.n_periods * np.log(2 * np.pi * var) + rss / var)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"sigma2": self.sigma2}


class LongRunNormalCost(GivenScale, NormalCost):
    r""":class:`NormalCost` measured in the long-run variance of the noise
    (:func:`~periodize.segmentation.noise.noise_scale`, or ``scale`` when given) instead of
    the difference-based variance: the cost of the penalty ``"auto"``, where a penalty per
    break must mean the same number of noise variances on autocorrelated and trending
    series. Same optimum for a fixed number of breaks, same estimates and log-likelihood.
    """

    def _variance(self) -> np.ndarray:
        if self.given_scale is not None:
            return self.given_scale
        return noise_scale(self.values).long_run_variance


class NormalMeanVarCost(_Gaussian):
    r"""Gaussian with mean and variance both changing at each break.

    Cost of a segment of length :math:`m`: :math:`m\log\hat\sigma_j^2` with
    :math:`\hat\sigma_j^2 = \max(RSS_j/m,\ \epsilon)` and the floor
    :math:`\epsilon = 10^{-6}` times the series variance (1e-6 for a constant series), so
    segments of identical values (runs of zeros) do not have infinite likelihood. Needs
    segments of at least 2 periods. Standard error of a segment mean:
    :math:`\hat\sigma_j/\sqrt{m}`.
    """

    name = "normal_meanvar"
    n_params = 2
    min_size = 2

    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        super().__init__(values, exposure)
        var = self.values.var(axis=1)
        self.floor = 1e-6 * np.where(var > 0, var, 1.0)

    def _segment_var(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        var = self.rss(start, end) / segment_length(start, end)
        return np.maximum(var, self.floor)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return segment_length(start, end) * np.log(self._segment_var(start, end))

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        length = segment_length(start, end)
        mean = range_sum(self.s1, start, end) / length
        return mean + self.shift, np.sqrt(self._segment_var(start, end) / length)

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        var = self._segment_var(edges[:, :-1], edges[:, 1:]).T
        var = np.take_along_axis(var, segment_of_each_period(edges, self.n_periods), axis=1)
        resid = self._residuals(fitted_mean)
        return -0.5 * (np.log(2 * np.pi * var) + resid**2 / var)
