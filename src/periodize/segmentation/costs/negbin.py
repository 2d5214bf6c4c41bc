"""Negative binomial (NB2) segment cost with the dispersion fixed per series."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from .base import Cost, range_sum, segment_length


def moment_alpha(values: np.ndarray) -> np.ndarray:
    r"""Method-of-moments NB2 dispersion per series, :math:`\max(0, (s^2-\bar y)/\bar y^2)`,
    with :math:`s^2` the unbiased variance of the unsegmented series."""
    mean = values.mean(axis=1)
    var = values.var(axis=1, ddof=1) if values.shape[1] > 1 else np.zeros_like(mean)
    alpha = (var - mean) / np.where(mean > 0, mean**2, 1.0)
    return np.where(mean > 0, np.maximum(alpha, 0.0), 0.0)


def negbin_loglik(
    total: np.ndarray, length: np.ndarray, mean: np.ndarray, alpha: np.ndarray
) -> np.ndarray:
    r"""NB2 log-likelihood of a segment's mean up to terms free of it:
    :math:`S\log\mu - (S + m/\alpha)\log(1+\alpha\mu)`, the Poisson :math:`S\log\mu - m\mu`
    when :math:`\alpha = 0`."""
    safe = np.where(alpha > 0, alpha, 1.0)
    tail = np.where(alpha > 0, (total + length / safe) * np.log1p(alpha * mean), length * mean)
    return xlogy(total, mean) - tail


class NegativeBinomialCost(Cost):
    r"""NB2 likelihood (variance :math:`\mu + \alpha\mu^2`) with a piecewise-constant mean.

    :math:`\alpha` is estimated once per series from the unsegmented data (method of
    moments, :func:`moment_alpha`) and held fixed across segments, so the segment MLE of
    the mean is the segment average and the search stays exact. For a segment with total
    :math:`S` over :math:`m` periods and :math:`\hat\mu = S/m` the cost is
    :math:`-2\,[S\log(\hat\mu/(1+\alpha\hat\mu)) - (m/\alpha)\log(1+\alpha\hat\mu)]`
    (the Poisson cost when :math:`\alpha = 0`). Standard error of :math:`\hat\mu`:
    :math:`\sqrt{\hat\mu(1+\alpha\hat\mu)/m}`. Because :math:`\alpha` absorbs
    between-segment variation too, it is an upper estimate when the mean shifts.
    """

    name = "negbin"
    n_shared = 1

    def __init__(
        self,
        values: np.ndarray,
        alpha: np.ndarray | None = None,
        exposure: np.ndarray | None = None,
    ) -> None:
        super().__init__(values, exposure)
        self.alpha = moment_alpha(self.values) if alpha is None else np.asarray(alpha, float)

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        total = range_sum(self.s1, start, end)
        length = segment_length(start, end)
        return -2.0 * negbin_loglik(total, length, total / length, self.alpha)

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        length = segment_length(start, end)
        mean = range_sum(self.s1, start, end) / length
        return mean, np.sqrt(mean * (1 + self.alpha * mean) / length)

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        y, mu = self.values, fitted_mean
        alpha = self.alpha[:, None]
        poisson = xlogy(y, mu) - mu - gammaln(y + 1)
        r = 1.0 / np.where(alpha > 0, alpha, 1.0)
        nb = (
            gammaln(y + r)
            - gammaln(r)
            - gammaln(y + 1)
            + xlogy(r, r / (r + mu))
            + xlogy(y, mu / (r + mu))
        )
        return np.where(alpha > 0, nb, poisson)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"alpha": self.alpha}
