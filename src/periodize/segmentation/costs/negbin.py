"""Negative binomial (NB2) segment cost with the dispersion fixed per series."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from .base import Cost, range_sum, segment_length
from .negbin_offset import fit_segments


def moment_alpha(values: np.ndarray, exposure: np.ndarray | None = None) -> np.ndarray:
    r"""Method-of-moments NB2 dispersion per series from the unsegmented fit
    :math:`\mu_t = \bar\lambda E_t`, :math:`\bar\lambda = \sum y / \sum E`:
    :math:`\max(0, [\tfrac{n}{n-1}\sum_t (y_t-\mu_t)^2 - \sum_t \mu_t] / \sum_t \mu_t^2)`.
    Without exposure this is :math:`\max(0, (s^2-\bar y)/\bar y^2)` with :math:`s^2` the
    unbiased variance.

    Examples
    --------
    >>> moment_alpha(np.array([[1.0, 3.0, 8.0, 0.0]])).round(4)
    array([1.0741])
    """
    n = values.shape[1]
    extent = np.ones_like(values) if exposure is None else exposure
    rate = values.sum(axis=1) / extent.sum(axis=1)
    if n < 2:
        return np.zeros(values.shape[0])
    mean = rate[:, None] * extent
    excess = ((values - mean) ** 2).sum(axis=1) * n / (n - 1) - mean.sum(axis=1)
    alpha = excess / np.where(rate > 0, (mean**2).sum(axis=1), 1.0)
    return np.where(rate > 0, np.maximum(alpha, 0.0), 0.0)


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

    With exposures :math:`E_t` (the GLM offset :math:`\log E_t`, as in R's
    ``glm.nb(y ~ ..., offset(log E))``) the mean of period :math:`t` is
    :math:`\lambda E_t`; the segment rate then has no closed form and is fitted by
    :func:`~periodize.segmentation.costs.negbin_offset.fit_segments` (O(segment length) per
    segment instead of O(1)).

    Examples
    --------
    >>> cost = NegativeBinomialCost(np.array([[1.0, 3.0, 8.0, 0.0]]))
    >>> cost.estimates(np.array([0]), np.array([4]))[0]
    array([[3.]])
    """

    name = "negbin"
    n_shared = 1
    supports_exposure = True

    def __init__(
        self,
        values: np.ndarray,
        alpha: np.ndarray | None = None,
        exposure: np.ndarray | None = None,
    ) -> None:
        super().__init__(values, exposure)
        self.alpha = (
            moment_alpha(self.values, self.exposure)
            if alpha is None
            else np.asarray(alpha, dtype=float)
        )

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        if self.exposure is not None:
            return -2.0 * fit_segments(self.values, self.exposure, self.alpha, start, end)[1].T
        total = range_sum(self.s1, start, end)
        length = segment_length(start, end)
        return -2.0 * negbin_loglik(total, length, total / length, self.alpha)

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        if self.exposure is not None:
            rate, _, weight = fit_segments(self.values, self.exposure, self.alpha, start, end)
            return rate.T, (rate / np.sqrt(np.where(weight > 0, weight, np.inf))).T
        length = segment_length(start, end)
        mean = range_sum(self.s1, start, end) / length
        return mean, np.sqrt(mean * (1 + self.alpha * mean) / length)

    def rates(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        if self.exposure is None:
            return super().rates(starts, ends)
        return fit_segments(self.values, self.exposure, self.alpha, starts, ends)[0]

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

    def partial_loglik(self, edges: np.ndarray) -> np.ndarray:
        """``Σ_segments [S log(μ/(1+αμ)) − (m/α) log(1+αμ)]`` without exposure (the
        segment costs, no pass over the periods); the full log-likelihood with one."""
        if self.exposure is not None:
            return self.loglik(edges)
        return -0.5 * self.total_cost(edges)

    def nuisance(self) -> dict[str, np.ndarray]:
        return {"alpha": self.alpha}
