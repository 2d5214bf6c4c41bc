"""Confidence intervals for segment rates and for the ratio of consecutive rates."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from ...segmentation.costs.negbin import negbin_loglik
from ...segmentation.costs.negbin_offset import fit_segments, segment_loglik


def garwood(total: np.ndarray, length: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact (Garwood 1936) interval for a Poisson rate from ``total`` events in ``length``
    periods: :math:`[\chi^2_{2S,\,a/2}/2m,\ \chi^2_{2S+2,\,1-a/2}/2m]`, lower bound 0 when
    :math:`S = 0`. Non-integer totals (scaled counts) use the same gamma quantiles.

    Examples
    --------
    >>> lo, hi = garwood(np.array([0.0, 10.0]), np.array([10.0, 10.0]), 0.95)
    >>> lo.round(4), hi.round(4)
    (array([0.    , 0.4795]), array([0.3689, 1.839 ]))
    """
    alpha = 1 - level
    safe = np.where(total > 0, total, 1.0)
    lower = np.where(total > 0, stats.gamma.ppf(alpha / 2, safe) / length, 0.0)
    upper = stats.gamma.ppf(1 - alpha / 2, total + 1) / length
    return lower, upper


def rate_ratio(
    first: np.ndarray,
    first_length: np.ndarray,
    second: np.ndarray,
    second_length: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Ratio of the second rate to the first, with the exact conditional interval.

    Given :math:`S_1 + S_2`, :math:`S_2` is binomial with
    :math:`p = m_2 r / (m_1 + m_2 r)`; the Clopper–Pearson interval for :math:`p` maps to
    :math:`r = (p / (1 - p))(m_1 / m_2)`. The bounds are 0 or infinite where the data allow
    no more (no events in one of the periods); with no events in both the ratio is undefined
    (NaN).
    """
    alpha = 1 - level
    total = first + second
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (second / second_length) / (first / first_length)
        p_low = np.where(second > 0, stats.beta.ppf(alpha / 2, second, first + 1), 0.0)
        p_high = np.where(first > 0, stats.beta.ppf(1 - alpha / 2, second + 1, first), 1.0)
        scale = first_length / second_length
        low = p_low / (1 - p_low) * scale
        high = np.where(p_high < 1, p_high / (1 - p_high) * scale, np.inf)
    undefined = total == 0
    return (
        np.where(undefined, np.nan, ratio),
        np.where(undefined, np.nan, low),
        np.where(undefined, np.nan, high),
    )


def t_interval(
    mean: np.ndarray, se: np.ndarray, dof: int, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean ± t_{dof} se``."""
    q = stats.t.ppf(0.5 + level / 2, max(dof, 1))
    return mean - q * se, mean + q * se


def negbin_profile(
    total: np.ndarray, length: np.ndarray, alpha: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Likelihood-ratio interval for an NB2 mean with the dispersion :math:`\alpha` fixed:
    :math:`\{\mu: 2[\ell(\hat\mu) - \ell(\mu)] \le \chi^2_{1,\,\mathrm{level}}\}`,
    :math:`\hat\mu = S/m`. Without events the lower bound is 0 and the upper bound
    :math:`\mathrm{expm1}(c\alpha/2m)/\alpha` (:math:`c/2m` for :math:`\alpha = 0`).

    Examples
    --------
    >>> lo, hi = negbin_profile(np.array([0.0, 10.0]), np.array([10.0, 10.0]),
    ...                         np.array([0.5, 0.5]), 0.95)
    >>> lo.round(4), hi.round(4)
    (array([0.    , 0.4489]), array([0.2016, 2.0878]))
    """
    cutoff = stats.chi2.ppf(level, 1)
    alpha = np.broadcast_to(alpha, total.shape)
    estimate = np.where(total > 0, total / length, 1.0)
    best = negbin_loglik(total, length, estimate, alpha)

    def deviance(mean: np.ndarray) -> np.ndarray:
        return 2 * (best - negbin_loglik(total, length, mean, alpha))

    found = total > 0
    low = np.where(found, _deviance_root(deviance, np.log(estimate), -1.0, cutoff, found), 0.0)
    high = _deviance_root(deviance, np.log(estimate), 1.0, cutoff, found)
    safe = np.where(alpha > 0, alpha, 1.0)
    half = cutoff / (2 * length)
    empty = np.where(alpha > 0, np.expm1(half * safe) / safe, half)
    return low, np.where(found, high, empty)


def negbin_profile_ratio(
    first: np.ndarray,
    first_length: np.ndarray,
    second: np.ndarray,
    second_length: np.ndarray,
    alpha: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Ratio of the second NB2 mean to the first, with the profile-likelihood interval.

    For a ratio :math:`r` the first mean is profiled out: the score equation in
    :math:`\mu` is the quadratic
    :math:`\alpha r (m_1+m_2)\mu^2 - B\mu - T = 0` with :math:`T = S_1+S_2` and
    :math:`B = \alpha T(1+r) - (\alpha S_1 + m_1) - (\alpha S_2 + m_2) r`, whose positive
    root is taken. The interval is
    :math:`\{r: 2[\ell(\hat\mu_1,\hat\mu_2) - \ell_p(r)] \le \chi^2_{1,\,\mathrm{level}}\}`;
    its bound is 0 (or infinite) where a period has no events; with none in either the
    ratio is undefined (NaN).
    """
    cutoff = stats.chi2.ppf(level, 1)
    alpha = np.broadcast_to(alpha, first.shape)
    total = first + second
    # A period without events: start the search where the ratio is (nearly) its estimate,
    # 0 or infinite, and the deviance (nearly) 0.
    rate1 = np.where(first > 0, first / first_length, 1e-8 * second / second_length)
    rate2 = np.where(second > 0, second / second_length, 1e-8 * first / first_length)
    best = negbin_loglik(first, first_length, first / first_length, alpha) + negbin_loglik(
        second, second_length, second / second_length, alpha
    )

    def deviance(ratio: np.ndarray) -> np.ndarray:
        a = alpha * ratio * (first_length + second_length)
        b = (
            alpha * total * (1 + ratio)
            - (alpha * first + first_length)
            - (alpha * second + second_length) * ratio
        )
        root = np.sqrt(b**2 + 4 * a * total)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(b <= 0, 2 * total / (root - b), (b + root) / (2 * a))
        profile = negbin_loglik(first, first_length, mean, alpha) + negbin_loglik(
            second, second_length, ratio * mean, alpha
        )
        return 2 * (best - profile)

    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(rate2 / rate1)
    low = _deviance_root(deviance, centre, -1.0, cutoff, second > 0)
    high = _deviance_root(deviance, centre, 1.0, cutoff, first > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (second / second_length) / (first / first_length)
    undefined = total == 0
    return (
        np.where(undefined, np.nan, ratio),
        np.where(undefined, np.nan, np.where(second > 0, low, 0.0)),
        np.where(undefined, np.nan, np.where(first > 0, high, np.inf)),
    )


def _deviance_root(
    deviance: Callable[[np.ndarray], np.ndarray],
    centre: np.ndarray,
    direction: float,
    cutoff: float,
    active: np.ndarray,
) -> np.ndarray:
    """Elementwise ``x`` on one side of ``exp(centre)`` (``direction`` -1 below, +1 above)
    where ``deviance(x)`` reaches ``cutoff``, for the ``active`` elements (NaN elsewhere): a
    doubling bracket in log x, then bisection."""
    centre = np.where(active, centre, 0.0)
    step = np.ones_like(centre)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(64):
            short = active & (deviance(np.exp(centre + direction * step)) < cutoff)
            if not short.any():
                break
            step = np.where(short, 2 * step, step)
        near, far = np.zeros_like(centre), step
        for _ in range(80):
            middle = (near + far) / 2
            inside = deviance(np.exp(centre + direction * middle)) < cutoff
            near, far = np.where(inside, middle, near), np.where(inside, far, middle)
    return np.where(active, np.exp(centre + direction * (near + far) / 2), np.nan)


def negbin_offset_profile(
    values: np.ndarray, exposure: np.ndarray, alpha: np.ndarray, edges: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Profile-likelihood intervals for NB2 rates with an exposure offset (``alpha``
    fixed), for the periods between ``edges`` (``(n_series, k + 2)``), and for the ratio of
    each period's rate to the one before.

    The rate interval is :math:`\{\lambda: 2[\ell(\hat\lambda) - \ell(\lambda)] \le
    \chi^2_{1,\,\mathrm{level}}\}`. For a ratio :math:`r` the earlier rate is profiled out:
    with :math:`\lambda_2 = r\lambda_1` the two periods are one NB2 fit of
    :math:`\lambda_1` whose later exposures are multiplied by :math:`r`. Returns the lower
    and upper rate bounds ``(n_series, k + 1)`` and the ratio with its bounds
    ``(n_series, k)``; bounds are 0 or infinite where a period has no events, NaN where
    neither of two periods has any.
    """
    cutoff = stats.chi2.ppf(level, 1)
    starts, ends = edges[:, :-1], edges[:, 1:]
    rate, best, _ = fit_segments(values, exposure, alpha, starts, ends)
    found = rate > 0

    def deviance(trial: np.ndarray) -> np.ndarray:
        return 2 * (best - segment_loglik(values, exposure, alpha, starts, ends, trial))

    centre = np.log(np.where(found, rate, 1.0))
    low = np.where(found, _deviance_root(deviance, centre, -1.0, cutoff, found), 0.0)
    # without events the log-likelihood falls from 0 as the rate grows: start near 0
    start = np.where(found, centre, np.log(1e-8 / (ends - starts)))
    high = _deviance_root(deviance, start, 1.0, cutoff, np.ones_like(found))

    first, second = rate[:, :-1], rate[:, 1:]
    pair_best = best[:, :-1] + best[:, 1:]
    pair_starts, middle, pair_ends = starts[:, :-1], ends[:, :-1], ends[:, 1:]
    rows, n = values.shape
    later = np.arange(n)[None, None, :] >= middle[:, :, None]  # (series, pairs, n)
    pair_values = np.repeat(values[:, None, :], middle.shape[1], axis=1).reshape(-1, n)
    pair_alpha = np.repeat(alpha, middle.shape[1])

    prefix = np.concatenate([np.zeros((rows, 1)), np.cumsum(values, axis=1)], axis=1)
    later_total = np.take_along_axis(prefix, pair_ends, 1) - np.take_along_axis(prefix, middle, 1)

    def ratio_deviance(ratio: np.ndarray) -> np.ndarray:
        # the fit sees exposures r E_t and so drops y_t log r: add S_2 log r back
        scaled = np.where(later, exposure[:, None, :] * ratio[:, :, None], exposure[:, None, :])
        flat = (pair_starts.reshape(-1, 1), pair_ends.reshape(-1, 1))
        profile = fit_segments(pair_values, scaled.reshape(-1, n), pair_alpha, *flat)[1]
        profile = profile.reshape(rows, -1) + later_total * np.log(ratio)
        return 2 * (pair_best - profile)

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = second / first
        top = np.where(second > 0, second, 1e-8 * first)
        bottom = np.where(first > 0, first, 1e-8 * second)
        centre = np.log(np.where((first > 0) | (second > 0), top / bottom, 1.0))
    r_low = _deviance_root(ratio_deviance, centre, -1.0, cutoff, second > 0)
    r_high = _deviance_root(ratio_deviance, centre, 1.0, cutoff, first > 0)
    undefined = (first == 0) & (second == 0)
    return (
        low,
        high,
        np.where(undefined, np.nan, ratio),
        np.where(undefined, np.nan, np.where(second > 0, r_low, 0.0)),
        np.where(undefined, np.nan, np.where(first > 0, r_high, np.inf)),
    )
