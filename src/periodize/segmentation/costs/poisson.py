"""Poisson and quasi-Poisson segment costs (piecewise-constant rate)."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from ..noise import count_dispersion
from .base import Cost, GivenScale, difference_variance, range_sum


class PoissonCost(Cost):
    r"""Poisson likelihood for counts with a piecewise-constant rate.

    For a segment with total :math:`S` over :math:`m` periods the rate estimate is
    :math:`\hat\lambda = S/m` and the cost is :math:`-2\,(S\log\hat\lambda - S)`; the
    omitted term :math:`2\sum_t \log y_t!` does not depend on the segmentation. Standard
    error of :math:`\hat\lambda`: :math:`\sqrt{\hat\lambda/m}`. With exposures
    :math:`E_t` (the GLM offset :math:`\log E_t`) :math:`m` becomes :math:`\sum E_t` and the
    mean of period :math:`t` is :math:`\hat\lambda E_t`.

    Examples
    --------
    >>> cost = PoissonCost(np.array([[1.0, 1.0, 5.0, 5.0]]))
    >>> cost.cost(np.array([0, 2]), np.array([2, 4])).round(3)
    array([[  4.   , -12.189]])
    """

    name = "poisson"
    supports_exposure = True

    def __init__(self, values: np.ndarray, exposure: np.ndarray | None = None) -> None:
        super().__init__(values, exposure)
        self.scale = self._scale()

    def _scale(self) -> np.ndarray:
        return np.ones(self.n_series)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        total = range_sum(self.s1, start, end)
        deviance = -2.0 * (xlogy(total, total / self.extent(start, end)) - total)
        return deviance / self.scale

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        extent = self.extent(start, end)
        rate = range_sum(self.s1, start, end) / extent
        return rate, np.sqrt(self.scale * rate / extent)

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        y = self.values
        return xlogy(y, fitted_mean) - fitted_mean - gammaln(y + 1)

    def partial_loglik(self, edges: np.ndarray) -> np.ndarray:
        """``Σ_segments (S log(S/E) − S)``: the log-likelihood without its
        segmentation-free terms."""
        return -0.5 * self.scale * self.total_cost(edges)

    def loglik(self, edges: np.ndarray) -> np.ndarray:
        """Full log-likelihood from the segment sums: ``Σ_segments (S log(S/E) − S)`` plus
        the terms free of the segmentation, ``Σ_t (y_t log E_t − log y_t!)`` (computed once
        per cost), so no logarithm is taken per period and segmentation."""
        return self.partial_loglik(edges) + self._free_terms

    @cached_property
    def _free_terms(self) -> np.ndarray:
        y = self.values
        terms = -gammaln(y + 1)
        if self.exposure is not None:
            terms = terms + xlogy(y, self.exposure)
        return terms.sum(axis=1)


class QuasiPoissonCost(PoissonCost):
    r"""Quasi-Poisson cost for weighted (non-integer) intensities.

    Same estimates as :class:`PoissonCost`; the variance is :math:`\phi\lambda`. The
    dispersion :math:`\phi` is estimated once per series from the unsegmented data by the
    difference-based estimator :math:`\hat\phi = \overline{(\Delta y)^2} / (2\bar y)`
    (each shift in rate inflates one difference only), and the cost is the Poisson deviance
    divided by :math:`\hat\phi`, so penalties keep their meaning whatever the weights' unit.
    The reported log-likelihood is the Poisson quasi-log-likelihood with
    :math:`\log\Gamma(y+1)` in place of :math:`\log y!`. Where the estimate is 0 (a
    constant or all-zero series shows no variation to measure) :math:`\hat\phi = 1`.
    """

    name = "quasipoisson"
    n_shared = 1

    def _scale(self) -> np.ndarray:
        if self.values.shape[1] < 2:
            return np.ones(self.n_series)
        if self.exposure is None:
            mean = self.values.mean(axis=1)
            phi = difference_variance(self.values) / np.where(mean > 0, mean, 1)
        else:  # Var(y_t / E_t) = phi * rate / E_t under a constant rate
            rate = self.values.sum(axis=1) / self.exposure.sum(axis=1)
            mean = rate
            ratio = self.values / self.exposure
            inverse = 1 / self.exposure
            spread = np.diff(ratio, axis=1) ** 2 / (inverse[:, 1:] + inverse[:, :-1])
            phi = spread.mean(axis=1) / np.where(rate > 0, rate, 1)
        return np.where((mean > 0) & (phi > 1e-8), phi, 1.0)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"dispersion": self.scale}


class LongRunQuasiPoissonCost(GivenScale, QuasiPoissonCost):
    r""":class:`QuasiPoissonCost` whose dispersion is the long-run dispersion of the counts
    (:func:`~periodize.segmentation.noise.count_dispersion`: robust, aware of trends and
    serial dependence, never below 1; or ``scale`` when given): the count cost of the
    penalty ``"auto"``. Same estimates; standard errors use this dispersion.
    """

    def _scale(self) -> np.ndarray:
        if self.given_scale is not None:
            return self.given_scale
        return count_dispersion(self.values, self.exposure)
