"""Poisson and quasi-Poisson segment costs (piecewise-constant rate)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from .base import Cost, difference_variance, range_sum, segment_length


class PoissonCost(Cost):
    r"""Poisson likelihood for counts with a piecewise-constant rate.

    For a segment with total :math:`S` over :math:`m` periods the rate estimate is
    :math:`\hat\lambda = S/m` and the cost is :math:`-2\,(S\log\hat\lambda - S)`; the
    omitted term :math:`2\sum_t \log y_t!` does not depend on the segmentation. Standard
    error of :math:`\hat\lambda`: :math:`\sqrt{\hat\lambda/m}`.

    Examples
    --------
    >>> cost = PoissonCost(np.array([[1.0, 1.0, 5.0, 5.0]]))
    >>> cost.cost(np.array([0, 2]), np.array([2, 4])).round(3)
    array([[  4.   , -12.189]])
    """

    name = "poisson"

    def __init__(self, values: np.ndarray) -> None:
        super().__init__(values)
        self.scale = self._scale()

    def _scale(self) -> np.ndarray:
        return np.ones(self.n_series)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        total = range_sum(self.s1, start, end)
        deviance = -2.0 * (xlogy(total, total / segment_length(start, end)) - total)
        return deviance / self.scale

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        length = segment_length(start, end)
        rate = range_sum(self.s1, start, end) / length
        return rate, np.sqrt(self.scale * rate / length)

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        y = self.values
        return xlogy(y, fitted_mean) - fitted_mean - gammaln(y + 1)


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
        mean = self.values.mean(axis=1)
        phi = difference_variance(self.values) / np.where(mean > 0, mean, 1)
        return np.where((mean > 0) & (phi > 1e-8), phi, 1.0)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"dispersion": self.scale}
