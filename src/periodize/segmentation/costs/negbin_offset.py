r"""NB2 segment fits with an exposure offset, compiled.

With exposures :math:`E_t` the mean of period :math:`t` is :math:`\mu_t = \lambda E_t` (the
GLM offset :math:`\log E_t`) and, with :math:`\alpha` fixed, the segment's maximum-likelihood
rate solves the score equation

.. math:: U(\lambda) = \sum_t \frac{y_t - \lambda E_t}{1 + \alpha\lambda E_t} = 0,

which has no closed form unless every :math:`E_t` is equal (then :math:`\hat\lambda =
S/\sum E_t`). :math:`U` decreases strictly in :math:`\theta = \log\lambda`, so the root is
unique; it is a weighted mean of the ratios :math:`y_t/E_t` and so lies in
:math:`[L, \max_t y_t/E_t]` with :math:`L = \sum_t y_t/(1+\alpha E_t \max y/E) / \sum_t E_t`.
Newton steps in :math:`\theta` are kept inside that bracket (bisection when a step leaves
it), so every segment converges. Each segment costs O(its length) per step, not O(1) as
with prefix sums: exact searches stay exact, in O(n^3) rather than O(n^2) per series.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike

from ..._kernels import frozen

#: Newton steps stop when the change in log rate is below this.
TOLERANCE = 1e-13


@numba.njit(cache=True)
def _loglik_one(
    y: np.ndarray, exposure: np.ndarray, alpha: float, rate: float
) -> tuple[float, float]:
    """Partial log-likelihood ``Σ y log λ − (y + 1/α) log(1 + αλE)`` (``S log λ − λΣE``
    when ``α = 0``) at ``rate``, and the weight ``Σ μ/(1 + αμ)`` (the Fisher information
    of ``log λ``)."""
    total = 0.0
    tail = 0.0
    weight = 0.0
    for t in range(y.shape[0]):
        mu = rate * exposure[t]
        total += y[t]
        tail += (y[t] + 1.0 / alpha) * math.log1p(alpha * mu) if alpha > 0.0 else mu
        weight += mu / (1.0 + alpha * mu)
    return (total * math.log(rate) if total > 0.0 else 0.0) - tail, weight


@numba.njit(cache=True)
def _fit_one(y: np.ndarray, exposure: np.ndarray, alpha: float) -> float:
    """The maximum-likelihood rate of one segment (0 without events)."""
    total = 0.0
    extent = 0.0
    highest = 0.0
    for t in range(y.shape[0]):
        total += y[t]
        extent += exposure[t]
        highest = max(highest, y[t] / exposure[t])
    if total <= 0.0 or alpha <= 0.0:
        return total / extent
    lowest = 0.0
    for t in range(y.shape[0]):
        lowest += y[t] / (1.0 + alpha * exposure[t] * highest)
    low, high = math.log(lowest / extent), math.log(highest)
    theta = min(max(math.log(total / extent), low), high)
    for _ in range(200):
        rate = math.exp(theta)
        score = 0.0
        slope = 0.0
        for t in range(y.shape[0]):
            mu = rate * exposure[t]
            d = 1.0 + alpha * mu
            score += (y[t] - mu) / d
            slope += mu * (1.0 + alpha * y[t]) / (d * d)
        step = score / slope
        if abs(step) <= TOLERANCE * max(1.0, abs(theta)):
            theta += step
            break
        if score > 0.0:
            low = theta
        else:
            high = theta
        theta = theta + step if low < theta + step < high else 0.5 * (low + high)
    return math.exp(theta)


@numba.njit(cache=True, parallel=True)
def _every_segment(
    values: np.ndarray,
    exposure: np.ndarray,
    alpha: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    rate: np.ndarray,
    loglik: np.ndarray,
    weight: np.ndarray,
    fit: bool,
) -> None:
    """Fill ``loglik`` and ``weight`` of every segment at ``rate``, first fitting ``rate``
    when ``fit``."""
    for i in numba.prange(values.shape[0]):
        for j in range(starts.shape[1]):
            y, e = values[i, starts[i, j] : ends[i, j]], exposure[i, starts[i, j] : ends[i, j]]
            if fit:
                rate[i, j] = _fit_one(y, e, alpha[i])
            loglik[i, j], weight[i, j] = _loglik_one(y, e, alpha[i], rate[i, j])


def _run(
    values: np.ndarray,
    exposure: np.ndarray,
    alpha: np.ndarray,
    starts: ArrayLike,
    ends: ArrayLike,
    rate: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments as ``(n_series, m)`` arrays (1-D ones are shared by all series), then the
    kernel: rates fitted when ``rate`` is ``None``."""
    first, last = np.broadcast_arrays(np.atleast_1d(starts), np.atleast_1d(ends))
    if first.ndim == 1:
        first, last = (np.broadcast_to(a, (values.shape[0], a.size)) for a in (first, last))
    shape = first.shape
    given = np.zeros(shape) if rate is None else np.broadcast_to(rate, shape)
    out = np.array(given, dtype=float), np.empty(shape), np.empty(shape)
    _every_segment(
        frozen(values),
        frozen(exposure),
        frozen(alpha),
        frozen(first, np.int64),
        frozen(last, np.int64),
        *out,
        rate is None,
    )
    return out


def fit_segments(
    values: np.ndarray,
    exposure: np.ndarray,
    alpha: np.ndarray,
    starts: ArrayLike,
    ends: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Maximum-likelihood rate of every segment ``[start, end)`` of every series.

    ``starts``/``ends`` are 1-D (shared by all series) or ``(n_series, m)``. Returns three
    ``(n_series, m)`` arrays: the rate :math:`\hat\lambda`, the partial log-likelihood
    :math:`\sum_t y_t\log\hat\lambda - (y_t + 1/\alpha)\log(1+\alpha\hat\lambda E_t)`
    (:math:`S\log\hat\lambda - \hat\lambda\sum E_t` when :math:`\alpha = 0`; 0 for a segment
    without events) and the weight :math:`\sum_t \mu_t/(1+\alpha\mu_t)`, so that the standard
    error of :math:`\hat\lambda` is :math:`\hat\lambda/\sqrt{\text{weight}}`.

    Examples
    --------
    >>> rate, loglik, weight = fit_segments(
    ...     np.array([[2.0, 6.0]]), np.array([[1.0, 1.0]]), np.array([0.5]),
    ...     np.array([0]), np.array([2]))
    >>> rate.round(6)  # equal exposures: the mean count
    array([[4.]])
    """
    return _run(values, exposure, alpha, starts, ends, None)


def segment_loglik(
    values: np.ndarray,
    exposure: np.ndarray,
    alpha: np.ndarray,
    starts: ArrayLike,
    ends: ArrayLike,
    rate: np.ndarray,
) -> np.ndarray:
    """The partial log-likelihood of :func:`fit_segments` at a given ``rate`` per segment
    (``(n_series, m)``, positive), for likelihood-ratio intervals."""
    return _run(values, exposure, alpha, starts, ends, rate)[1]
